/// Everything a cell's log has produced up to one slot: its configuration, its keys and
/// its client sessions. It is the state machine every replica applies chosen slots to, and
/// it is also the snapshot a replica persists and sends to a replica that fell behind.
public struct CellState: Hashable, Sendable {
    /// The configuration in force after `appliedThrough`.
    public internal(set) var configuration: CellConfiguration
    /// The cell's keys and values.
    public internal(set) var store: CellStore
    /// The cell's memory of its clients' latest writes.
    public internal(set) var sessions: ClientSessions
    /// The last slot applied; every slot up to it is chosen and reflected here.
    public internal(set) var appliedThrough: Slot

    /// The state of a new cell with `configuration`, before its first slot.
    public init(configuration: CellConfiguration) {
        self.configuration = configuration
        self.store = CellStore()
        self.sessions = ClientSessions()
        self.appliedThrough = configuration.startSlot - 1
    }

    /// Applies the chosen batch of slot `appliedThrough + 1` and says what became of each
    /// client command in it, with the change each one made to the keys.
    ///
    /// A valid membership change ends the epoch: the new configuration governs the next
    /// slot, and any command after it in the same batch is abandoned unapplied. A deletion
    /// ends the cell: every command after it is refused with `cellDeleted`, and the replica
    /// turns into a tombstone.
    ///
    /// `deduplicate` is false only under the `skipDeduplication` test defect.
    mutating func apply(_ batch: Batch, at slot: Slot, deduplicate: Bool = true) -> [AppliedCommand] {
        precondition(slot == appliedThrough + 1, "slot \(slot) applied after \(appliedThrough)")
        appliedThrough = slot
        var applied: [AppliedCommand] = []
        var epochEnded = false
        var cellDeleted = false
        for command in batch {
            guard case .client(let client) = command else { continue }
            if cellDeleted {
                applied.append(AppliedCommand(id: client.id, outcome: .completed(.failure(.cellDeleted))))
                continue
            }
            if epochEnded {
                applied.append(AppliedCommand(id: client.id, outcome: .abandoned))
                continue
            }
            let previousRevision = store.revision
            let (outcome, isNew) = apply(client, at: slot, deduplicate: deduplicate)
            var change: CellChange?
            var restoredAt: Revision?
            if case .completed(let result) = outcome {
                if isNew, case .restore = client.operation, case .success = result { restoredAt = store.revision }
                switch result {
                case .success(.membershipChanged): epochEnded = true
                case .success(.cellDeleted): cellDeleted = true
                case .success, .failure: break
                }
                change = store.change(madeBy: client.operation, result: result, previousRevision: previousRevision)
            }
            applied.append(AppliedCommand(id: client.id, outcome: outcome, change: change, restoredAt: restoredAt))
        }
        return applied
    }

    /// Applies one command; `isNew` is false when the session table answered it (a retry of
    /// one applied before, or one the client moved past) without applying it again.
    private mutating func apply(_ command: ClientCommand, at slot: Slot, deduplicate: Bool) -> (outcome: CommandOutcome, isNew: Bool) {
        let verdict = deduplicate ? sessions.verdict(for: command.id, opensSession: command.opensSession) : .apply
        switch verdict {
        case .duplicate(let result):
            return (.completed(result), false)
        case .superseded:
            return (.superseded, false)
        case .expired:
            return (.sessionExpired, false)
        case .apply:
            break
        }
        let result: Result<OperationResult, OperationError>
        switch command.operation {
        case .changeMembership(let change):
            result = changeMembership(change, at: slot)
        case .deleteCell:
            // The replica keeps only a tombstone after this slot: no session to record.
            return (.completed(.success(.cellDeleted)), true)
        case .get, .list, .put, .delete, .compareAndSet, .increment, .transaction, .restore:
            result = store.apply(command.operation, limits: configuration.limits)
        }
        sessions.record(command.id, result: result, slot: slot, sessionsMax: configuration.limits.sessionsMax)
        return (.completed(result), true)
    }

    private mutating func changeMembership(_ change: MembershipChange, at slot: Slot) -> Result<OperationResult, OperationError> {
        do {
            configuration = try configuration.applying(change, at: slot)
            return .success(.membershipChanged(configuration))
        } catch {
            return .failure(.invalidMembershipChange(error))
        }
    }

    /// What the session table says of a request the leader is about to propose.
    func sessionVerdict(for id: RequestID, opensSession: Bool) -> ClientSessions.Verdict {
        sessions.verdict(for: id, opensSession: opensSession)
    }
}

/// What became of one client command when its slot was applied.
struct AppliedCommand: Equatable {
    var id: RequestID
    var outcome: CommandOutcome
    /// The change it made to the keys, if it made one.
    var change: CellChange?
    /// The revision a part of a restore it applied left the cell at: the cell's changes
    /// before it cannot be followed from the ones after.
    var restoredAt: Revision? = nil
}

/// The fate of a client command at apply time.
enum CommandOutcome: Equatable {
    /// Applied now, or applied before with this result (a retry).
    case completed(Result<OperationResult, OperationError>)
    /// The client had already moved on; not applied.
    case superseded
    /// The client's session was forgotten; not applied now, and whether it was applied before is unknown.
    case sessionExpired
    /// It followed a membership change in the same batch; not applied.
    case abandoned
}
