/// What is left of a deleted cell on a node: enough to say so, none of its data.
///
/// Deletion is a command in the cell's own log (`CellOperation.deleteCell`). Every replica
/// applies it at the same slot, drops the cell's keys, sessions and log, and keeps only this
/// tombstone, in memory and on disk. The tombstone is what stops a deleted cell from coming
/// back: a late message from a replica that has not applied the deletion yet (a leader's
/// accept, a candidate's poll) would otherwise make the node host a fresh empty replica of
/// the cell. Instead it is answered with the tombstone, which the late replica adopts; a
/// client request is refused with `cellDeleted`, and the node refuses to create a cell of
/// that name again.
public struct CellTombstone: Hashable, Sendable {
    /// The configuration in force when the cell was deleted.
    public var configuration: CellConfiguration
    /// The slot whose batch deleted the cell.
    public var slot: Slot
    /// The cell's revision when it was deleted: the last change a watcher could see.
    public var revision: Revision

    /// Makes a tombstone.
    public init(configuration: CellConfiguration, slot: Slot, revision: Revision) {
        self.configuration = configuration
        self.slot = slot
        self.revision = revision
    }

    /// The answer to a peer's message about the deleted cell: the tombstone itself to any
    /// request that waits for an answer (a leader's or a candidate's request, a catch-up or
    /// renewal request), so the sender learns of the deletion and adopts it; nothing to
    /// anything else, so two tombstones never talk forever.
    public func answer(_ body: PeerMessageBody) -> PeerMessageBody? {
        switch body {
        case .poll, .prepare, .accept, .heartbeat, .quiesce, .takeOver, .catchUpRequest, .renewal:
            return .cellDeleted(self)
        case .pollReply, .promise, .accepted, .reject, .heartbeatReply, .catchUpEntries, .snapshot, .staleEpoch,
             .cellDeleted:
            return nil
        }
    }

    /// The answer to any client request for the deleted cell.
    public func reply(to request: ClientRequest) -> ClientReply {
        ClientReply(id: request.id, cell: request.cell, outcome: .rejected(.cellDeleted))
    }
}
