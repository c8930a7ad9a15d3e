/// What a node's replicas are doing at one moment, counted in one pass over them: the
/// figures an operator alerts on (cells with no known leader, replicas behind their cell,
/// damaged replicas). A shell takes it when its metrics are read, never on a tick, so its
/// cost follows scrapes, not cells.
public struct ReplicaCensus: Hashable, Sendable {
    /// Replicas that lead their cell.
    public var leaders = 0
    /// Replicas that lost their stored state and wait to be renewed.
    public var damaged = 0
    /// Replicas that neither lead nor know a leader: their cell is electing one, or cannot.
    public var withoutLeader = 0
    /// Replicas that have applied less than their cell has chosen, as far as they know.
    public var lagging = 0
    /// The most slots any replica here is behind what it knows its cell has chosen.
    public var lagSlotsMax: Slot = 0
    /// The slots all replicas here are behind, added up.
    public var lagSlotsTotal: Slot = 0

    /// Makes a census with these figures (all zero: a census of no replicas).
    public init(
        leaders: Int = 0, damaged: Int = 0, withoutLeader: Int = 0, lagging: Int = 0, lagSlotsMax: Slot = 0, lagSlotsTotal: Slot = 0
    ) {
        self.leaders = leaders
        self.damaged = damaged
        self.withoutLeader = withoutLeader
        self.lagging = lagging
        self.lagSlotsMax = lagSlotsMax
        self.lagSlotsTotal = lagSlotsTotal
    }

    /// Counts one replica in.
    public mutating func count(_ replica: borrowing CellReplica) {
        if replica.isLeader {
            leaders += 1
        } else if replica.leaderHint == nil {
            withoutLeader += 1
        }
        if replica.isDamaged { damaged += 1 }
        let lag = replica.chosenThrough - replica.appliedThrough
        if lag > 0 {
            lagging += 1
            lagSlotsMax = max(lagSlotsMax, lag)
            lagSlotsTotal += lag
        }
    }
}
