/// One thing a replica asks its node to make durable before anything it says next is sent.
///
/// The records of one cell, replayed in order over an empty `DurableCellState`, rebuild
/// exactly what the replica needs after a crash: its promise, what it accepted, and its
/// latest snapshot.
public enum DurableRecord: Hashable, Sendable {
    /// The replica promised this ballot: it will accept nothing below it.
    case promise(Ballot)
    /// The replica accepted (or learned as chosen) this entry at this slot.
    case accepted(slot: Slot, entry: LogEntry)
    /// The replica's state as of the snapshot's `appliedThrough`; log entries up to that
    /// slot are no longer needed.
    case snapshot(CellState)
    /// The replica's stored state was found damaged: it must not vote until the cell has
    /// applied the renewal it asked for with this request id (a membership change that
    /// renews it, starting an epoch after everything it might have promised).
    case damaged(renewal: RequestID)
    /// The renewal was applied: the replica votes again.
    case healed
    /// An operator forced the damaged replica to vote again without a renewal (`colony cell
    /// force-recover`): it promised `floor`, a ballot above every ballot it had seen, and will
    /// accept nothing below it (see `CellReplica.forceHeal()`).
    case forcedHeal(floor: Ballot)
    /// The cell was deleted: nothing of it is kept but this tombstone.
    case deleted(CellTombstone)
}

/// What survives a crash of one replica: the fold of its durable records.
public struct DurableCellState: Hashable, Sendable {
    /// The highest ballot promised.
    public private(set) var promised: Ballot = .zero
    /// The latest snapshot, or nil if the replica never had the cell's state.
    public private(set) var snapshot: CellState?
    /// Entries after the snapshot, by slot.
    public private(set) var entries: [Slot: LogEntry] = [:]
    /// The renewal a damaged replica waits for, or nil when it is whole.
    public private(set) var damagedRenewal: RequestID?
    /// The cell's tombstone once it is deleted; then nothing else is kept.
    public private(set) var tombstone: CellTombstone?

    /// Makes the state of a replica that has persisted nothing.
    public init() {}

    /// Rebuilds a durable state from its parts (a snapshot file).
    package init(
        promised: Ballot, snapshot: CellState?, entries: [Slot: LogEntry], damagedRenewal: RequestID?, tombstone: CellTombstone?
    ) {
        self.promised = promised
        self.snapshot = snapshot
        self.entries = entries
        self.damagedRenewal = damagedRenewal
        self.tombstone = tombstone
    }

    /// Folds one more record in. Once the cell is deleted, later records change nothing.
    public mutating func apply(_ record: DurableRecord) {
        guard tombstone == nil else { return }
        switch record {
        case .promise(let ballot):
            promised = max(promised, ballot)
        case .accepted(let slot, let entry):
            if let snapshot, slot <= snapshot.appliedThrough { return }
            if !entry.isChosen {
                promised = max(promised, entry.ballot)
            }
            entries[slot] = entry
        case .snapshot(let state):
            if let snapshot, snapshot.appliedThrough >= state.appliedThrough { return }
            snapshot = state
            entries = entries.filter { $0.key > state.appliedThrough }
        case .damaged(let renewal):
            // Nothing stored before can be trusted: keep only the mark.
            self = DurableCellState()
            damagedRenewal = renewal
        case .healed:
            damagedRenewal = nil
        case .forcedHeal(let floor):
            damagedRenewal = nil
            promised = max(promised, floor)
        case .deleted(let tombstone):
            self = DurableCellState()
            self.tombstone = tombstone
        }
    }
}
