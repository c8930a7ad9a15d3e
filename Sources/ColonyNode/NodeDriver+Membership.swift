import ColonyCore
import ColonyNodeCore
import NIOCore

extension NodeDriver {
    /// From any thread: `changeMembership(_:_:expectedEpoch:timeout:)`, hopping onto the
    /// loop; nil when no answer came within `timeout` or the node is stopping (the change may
    /// still be applied: retry it).
    func askToChangeMembership(
        _ cell: CellID, _ change: MembershipChange, expectedEpoch: Epoch, timeout: TimeAmount
    ) async -> MembershipChangeOutcome? {
        let answer = try? await loop.flatSubmit {
            self.changeMembership(cell, change, expectedEpoch: expectedEpoch, timeout: timeout)
        }.get()
        guard case .membershipChange(let outcome)? = answer else { return nil }
        return outcome
    }

    /// From any thread: `transferLeadership(of:to:)`, hopping onto the loop; nil when the
    /// loop is shutting down.
    func askToTransferLeadership(of cell: CellID, to target: NodeID) async -> LeadershipTransferOutcome? {
        try? await loop.submit { self.transferLeadership(of: cell, to: target) }.get()
    }

    /// From any thread: `forceHeal(_:)`, hopping onto the loop; nil when the loop is
    /// shutting down.
    func askToForceHeal(_ cell: CellID) async -> ForcedHealOutcome? {
        try? await loop.submit { self.forceHeal(cell) }.get()
    }
}
