extension CellReplica {
    /// A peer says the cell was deleted. The tombstone is taken unless this replica has
    /// already applied the slot that carried the deletion (having applied it without
    /// deleting would mean two values were chosen for one slot, which the protocol rules
    /// out, so such a message is ignored).
    mutating func receiveDeletion(_ tombstone: CellTombstone, _ output: inout ReplicaOutput) {
        guard deletion == nil else { return }
        if hasState, appliedThrough >= tombstone.slot { return }
        becomeTombstone(tombstone, &output)
    }

    /// This replica applied the deletion at `tombstone.slot`. It tells the other members at
    /// once: a leader that deletes stops sending heartbeats, so its followers would otherwise
    /// learn that the slot is chosen only when their election timeout makes them ask.
    mutating func applyDeletion(_ tombstone: CellTombstone, _ output: inout ReplicaOutput) {
        for member in tombstone.configuration.members where member != node {
            output.send(.cellDeleted(tombstone), to: member, cell: cell)
        }
        becomeTombstone(tombstone, &output)
    }

    /// The cell is deleted: the replica stops leading, drops the cell's state and log,
    /// persists the tombstone and from then on only answers that the cell is gone (see
    /// `CellTombstone`). Its host replaces it by the tombstone alone.
    mutating func becomeTombstone(_ tombstone: CellTombstone, _ output: inout ReplicaOutput) {
        stepDownIfLeading(&output)
        role = .follower
        deletion = TombstoneBox(tombstone)
        state = nil
        log = ReplicaLog(firstSlot: tombstone.slot + 1)
        snapshotSlot = tombstone.slot
        knownChosenThrough = tombstone.slot
        feed.reset(at: tombstone.revision)
        damagedRenewal = nil
        leaderHint = nil
        catchUpSource = nil
        output.persist.append(.deleted(tombstone))
        output.events.append(.deleted(tombstone))
    }
}

/// A tombstone kept out of line in its replica.
final class TombstoneBox: Sendable {
    let tombstone: CellTombstone

    init(_ tombstone: CellTombstone) {
        self.tombstone = tombstone
    }
}
