import ColonyCore
import NIOCore

/// What became of the control plane's request to replace one member of a cell.
enum MembershipChangeOutcome: Hashable, Sendable {
    /// The cell applied the change now; its new configuration.
    case applied(CellConfiguration)
    /// The cell had applied it before; its current configuration.
    case alreadyApplied(CellConfiguration)
    /// The cell's replica here refused it (see `MembershipChangeRefusal`).
    case refused(MembershipChangeRefusal)
    /// This node hosts no replica of the cell.
    case notHosted
    /// The cell was deleted.
    case deleted(CellTombstone)
    /// The cell gave another answer than a configuration (for instance, it is reconfiguring
    /// or overloaded): retry with the same epoch.
    case unavailable(String)
}

extension NodeDriver {
    /// Replaces a member of `cell` through its log for the control plane, after the replica's
    /// verdict (`CellReplica.membershipChangeVerdict`) allows it. The change goes in as a
    /// write under a fresh request id whose client id has the top bit set (the space client
    /// libraries never draw, shared with renewals); retrying is made safe by the verdict,
    /// which answers a change already applied, not by the id.
    func changeMembership(
        _ cell: CellID, _ change: MembershipChange, expectedEpoch: Epoch, deadline: NIODeadline
    ) -> EventLoopFuture<MembershipChangeOutcome> {
        loop.preconditionInEventLoop()
        if let tombstone = host.tombstone(cell) { return loop.makeSucceededFuture(.deleted(tombstone)) }
        guard let replica = host.replica(cell) else { return loop.makeSucceededFuture(.notHosted) }
        switch replica.membershipChangeVerdict(change, expectedEpoch: expectedEpoch) {
        case .alreadyApplied(let configuration):
            return loop.makeSucceededFuture(.alreadyApplied(configuration))
        case .refused(let refusal):
            return loop.makeSucceededFuture(.refused(refusal))
        case .propose:
            break
        }
        let id = RequestID(client: ClientID(1 << 63 | UInt64.random(in: 0...(UInt64.max >> 1))), sequence: 1)
        let request = ClientRequest(id: id, cell: cell, operation: .changeMembership(change), opensSession: true)
        return submit(request, deadline: deadline).map { reply in
            switch reply.outcome {
            case .completed(.success(.membershipChanged(let configuration))):
                return .applied(configuration)
            case .completed(.failure(.invalidMembershipChange(let error))), .rejected(.invalidMembershipChange(let error)):
                return .refused(.invalid(error))
            case .redirect(let leader, let configuration?):
                return .refused(.notLeader(leader: leader, configuration: configuration))
            case .completed, .rejected, .redirect, .staleEpoch, .unavailable, .sessionExpired:
                return .unavailable("cell \(cell.name) answered the change with \(reply.outcome); look at the cell and retry")
            }
        }
    }
}

extension NodeDriver {
    /// From any thread: `changeMembership(_:_:expectedEpoch:deadline:)`, hopping onto the loop;
    /// nil when no answer came within `timeout` (the change may still be applied: retry it).
    func askToChangeMembership(
        _ cell: CellID, _ change: MembershipChange, expectedEpoch: Epoch, timeout: TimeAmount
    ) async -> MembershipChangeOutcome? {
        try? await loop.flatSubmit { self.changeMembership(cell, change, expectedEpoch: expectedEpoch, deadline: .now() + timeout) }.get()
    }
}
