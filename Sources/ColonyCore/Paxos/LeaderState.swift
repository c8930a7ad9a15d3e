/// What a leader keeps beyond what every replica keeps: its proposals in flight, the writes
/// waiting for a slot, the reads waiting for confirmation, and when it last heard from each
/// member.
struct LeaderState: Sendable {
    /// The ballot the replica leads with.
    var ballot: Ballot
    /// The slot the next proposal takes.
    var nextSlot: Slot
    /// Proposed slots not yet applied, in slot order.
    var proposals: [Proposal] = []
    /// Writes waiting for room in the pipeline, in arrival order.
    var queue: [ClientCommand] = []
    /// Ids of every write queued or proposed and not yet answered.
    var pendingWrites: Set<RequestID> = []
    /// Linearizable reads waiting for their confirmation round and their read index.
    var reads: [PendingRead] = []
    /// The latest confirmation round started.
    var round: UInt64 = 0
    /// Who acknowledged the latest round.
    var roundAcks = MemberSet()
    /// When the latest round started.
    var roundStartedAt: UInt64
    /// The latest round a majority acknowledged.
    var confirmedRound: UInt64 = 0
    /// Whether a read arrived during the latest round and needs the next one.
    var roundWanted = false
    /// When each member (by position) last answered this leader.
    var lastHeard: [UInt64]
    /// The members (by position) that answered this leader at least once: `lastHeard` starts
    /// at the election for everyone, so only these count as live for a membership change.
    var answered = MemberSet()
    /// The slot of a proposed stop sign (a membership change, a deletion); nothing is
    /// proposed after it in this epoch.
    var stopSignSlot: Slot?
    /// The applied point each member (by position) last reported in a heartbeat reply.
    var reportedApplied: [Slot]
    /// The members (by position) whose node restarted and who said nothing to this leader
    /// since: what the leader knows of them is their past run's, and they may have come back
    /// damaged, knowing no one to fetch the cell from (see `CellReplica.memberRestarted`).
    var restartedUnheard = MemberSet()
    /// When the latest of those restarts was noted.
    var restartNotedAt: UInt64 = 0
    /// When the leader last had something to do (see `CellReplica.quiesceIfIdle`).
    var lastBusyAt: UInt64
    /// When the leader last woke from quiescence.
    var wokeAt: UInt64?
    /// The members (by position) that answered since the leader last woke; nil if it never
    /// rested since its election. Only these count as live for a membership change: the
    /// leader knows nothing of the others since it went quiet.
    var answeredSinceWake: MemberSet?

    init(ballot: Ballot, nextSlot: Slot, memberCount: Int, now: UInt64) {
        self.ballot = ballot
        self.nextSlot = nextSlot
        self.roundStartedAt = now
        self.lastHeard = Array(repeating: now, count: memberCount)
        self.reportedApplied = Array(repeating: 0, count: memberCount)
        self.lastBusyAt = now
    }

    /// The proposal for `slot`, if it is in flight.
    func proposalIndex(for slot: Slot) -> Int? {
        guard let first = proposals.first, slot >= first.slot else { return nil }
        let index = Int(slot - first.slot)
        return index < proposals.count ? index : nil
    }

    /// Whether the latest confirmation round is still waiting for a majority.
    var roundInFlight: Bool { confirmedRound < round }

    /// The round a read arriving now must wait for: one that starts after it arrived.
    var roundForNewRead: UInt64 { round + 1 }

    /// `positions` (member positions) ordered by when each last answered this leader, most
    /// recent first, ties by position: the order in which to ask members to take over.
    func byLastHeard(_ positions: [Int]) -> [Int] {
        positions.sorted { lastHeard[$0] != lastHeard[$1] ? lastHeard[$0] > lastHeard[$1] : $0 < $1 }
    }

    /// How many members answered within `window` ticks of `now` (the leader counts itself).
    func membersHeard(within window: UInt64, now: UInt64, selfIndex: Int) -> Int {
        var count = 0
        for (index, heard) in lastHeard.enumerated() where index == selfIndex || now - heard <= window {
            count += 1
        }
        return count
    }

    /// Takes the next batch from the queue, within the batch limits. A stop sign (a
    /// membership change, a deletion) always travels alone, so it can end its epoch or its
    /// cell cleanly.
    mutating func takeBatch(commandsMax: Int, bytesMax: Int) -> [ClientCommand] {
        guard let first = queue.first else { return [] }
        if first.operation.isStopSign {
            queue.removeFirst()
            return [first]
        }
        var count = 0
        var bytes = 0
        for command in queue {
            if command.operation.isStopSign { break }
            let size = 24 + command.operation.approximateBytes
            if count > 0, count == commandsMax || bytes + size > bytesMax { break }
            count += 1
            bytes += size
        }
        let batch = Array(queue.prefix(count))
        queue.removeFirst(count)
        return batch
    }
}

/// One slot a leader proposed and has not yet applied.
struct Proposal: Sendable {
    var slot: Slot
    var batch: Batch
    var acks: MemberSet
    var sentAt: UInt64
    var isChosen = false
}

/// A linearizable read waiting at the leader.
struct PendingRead: Sendable {
    var id: RequestID
    var operation: CellOperation
    /// The read may be answered once the leader has applied this slot…
    var readIndex: Slot
    /// …and a majority has confirmed a round at least this recent.
    var round: UInt64
}
