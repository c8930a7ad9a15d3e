import ColonyCore
import NIOCore

/// What became of the control plane's request to move a cell's lead to one of its members.
enum LeadershipTransferOutcome: Hashable, Sendable {
    /// The leader here asked the target to take over; the target runs phase 1 next.
    case asked
    /// The replica here refused (see `LeadershipTransferRefusal`).
    case refused(LeadershipTransferRefusal)
    /// This node hosts no replica of the cell.
    case notHosted
    /// The cell was deleted.
    case deleted(CellTombstone)
}

extension NodeDriver {
    /// From any thread: `transferLeadership(of:to:)`, hopping onto the loop; nil when the
    /// loop is shutting down.
    func askToTransferLeadership(of cell: CellID, to target: NodeID) async -> LeadershipTransferOutcome? {
        try? await loop.submit { self.transferLeadership(of: cell, to: target) }.get()
    }
}
