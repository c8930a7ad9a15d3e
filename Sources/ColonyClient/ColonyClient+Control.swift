import ColonyAPI
import GRPCCore

/// What a cell said to the control plane's request to replace one of its members.
public enum MembershipChangeAnswer: Hashable, Sendable {
    /// The cell applied the change; its new configuration.
    case applied(Colony_V1_CellConfiguration)
    /// The cell had applied the change before (a retry); its configuration.
    case alreadyApplied(Colony_V1_CellConfiguration)
    /// The cell is at another epoch than the one the change was decided at: look again.
    case staleEpoch(Colony_V1_CellConfiguration, String)
    /// The cell refused for now (a change in flight, a majority not live, no answer in
    /// time); the message says why. Retry later with the same change.
    case refused(Colony_V1_ChangeRefusal, String)
}

/// What a cell's leader said to the control plane's request to hand its lead to a member.
public enum LeadershipTransferAnswer: Hashable, Sendable {
    /// The leader asked the target to take over; look at the cell to see it lead.
    case asked
    /// The target led already; nothing was done.
    case alreadyLeader
    /// The leader refused for now (the target is not a member or does not answer, a change is
    /// in flight, no answer in time); the message says why.
    case refused(Colony_V1_TransferRefusal, String)
}

/// The control plane's calls: replace a member through the cell's log, move a cell's lead,
/// and look at one node's replicas. Applications do not need them.
extension ColonyClient {
    /// Asks `cell`'s leader to replace member `remove` by node `add`, as decided when the
    /// cell was at `expectedEpoch`; the retry machine follows leader hints and tries members
    /// and seeds until one answers or the policy's deadline passes. Throws for a cell not
    /// found or deleted, or an invalid change.
    public func changeMembership(
        _ cell: String, remove: UInt32, add: UInt32, expectedEpoch: UInt64
    ) async throws -> MembershipChangeAnswer {
        var request = Colony_V1_ChangeMembershipRequest()
        request.cell = cell
        request.remove = remove
        request.add = add
        request.expectedEpoch = expectedEpoch
        return try await runControl(cell) { client, target, options -> ControlAttempt<MembershipChangeAnswer> in
            let reply = try await Colony_V1_ChangeMembershipReply.inBand { [request] in
                try await client.control.changeMembership(request, options: options)
            }
            guard reply.hasError else {
                self.learn(cell, reply.configuration, hasConfiguration: reply.hasConfiguration)
                return ControlAttempt(
                    outcome: .succeeded, answer: reply.alreadyApplied ? .alreadyApplied(reply.configuration) : .applied(reply.configuration))
            }
            let error = reply.error
            switch error.code {
            case .staleEpoch:
                self.learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
                return ControlAttempt(outcome: .failed, answer: .staleEpoch(error.configuration, error.message))
            case .unavailable where reply.refusal != .unspecified:
                return ControlAttempt(outcome: .failed, answer: .refused(reply.refusal, error.message))
            default:
                return self.controlAttempt(error, cell: cell, at: target)
            }
        } gaveUp: { problem in
            .refused(.unspecified, "no answer within \(self.policy.deadline) (\(problem)); retry the same change")
        }
    }

    /// Asks `cell`'s leader to hand its lead to member `target`; the retry machine follows
    /// leader hints and tries members and seeds until one answers or the policy's deadline
    /// passes. Throws for a cell not found or deleted, or an invalid request.
    public func transferLeadership(_ cell: String, to target: UInt32) async throws -> LeadershipTransferAnswer {
        var request = Colony_V1_TransferLeadershipRequest()
        request.cell = cell
        request.target = target
        return try await runControl(cell) { client, node, options -> ControlAttempt<LeadershipTransferAnswer> in
            let reply = try await Colony_V1_TransferLeadershipReply.inBand { [request] in
                try await client.control.transferLeadership(request, options: options)
            }
            guard reply.hasError else { return ControlAttempt(outcome: .succeeded, answer: reply.alreadyLeader ? .alreadyLeader : .asked) }
            if reply.refusal != .unspecified {
                return ControlAttempt(outcome: .failed, answer: .refused(reply.refusal, reply.error.message))
            }
            return self.controlAttempt(reply.error, cell: cell, at: node)
        } gaveUp: { problem in
            .refused(.unspecified, "no answer within \(self.policy.deadline) (\(problem)); look at the cell and ask again")
        }
    }

    /// The cell as each of `members` (node ids with their client addresses) describes its own
    /// replica, by node id, each node asked once; a member that does not answer, or hosts no
    /// replica of the cell, is left out.
    public func cellAtEachMember(_ cell: String, members: [(node: UInt32, address: String)]) async -> [UInt32: Colony_V1_CellSummary] {
        var request = Colony_V1_CellInfoRequest()
        request.cell = cell
        var answers: [UInt32: Colony_V1_CellSummary] = [:]
        for member in members where !member.address.isEmpty {
            let reply = try? await anyNode(targets: [member.address]) { [request] client, options in
                try await client.cellInfo(request, options: options)
            }
            if let reply { answers[member.node] = reply.cell }
        }
        return answers
    }

    /// Forces node `address`'s damaged replica of `cell` to vote again without a renewal
    /// (`colony cell force-recover`): unsafe by design, writes the cell acknowledged after the
    /// returned slot (the last the replica applied) may be lost. Asks that node only, once;
    /// throws its refusal (the replica is not damaged, holds no state, is not a member, still
    /// catches up) or why it could not be asked.
    public func forceHeal(_ cell: String, at address: String) async throws -> UInt64 {
        var request = Colony_V1_ForceHealRequest()
        request.cell = cell
        var options = CallOptions.defaults
        options.timeout = policy.attemptTimeout
        let node = try connection(address)
        let reply = try await Colony_V1_ForceHealReply.inBand { [request, options] in
            try await node.control.forceHeal(request, options: options)
        }
        guard !reply.hasError else { throw ColonyError(reply.error) }
        return reply.appliedThrough
    }

    /// The replicas node `address` hosts, as it knows them (a removed member may still hold a
    /// replica of an older epoch); asks that node only.
    public func listCells(at address: String) async throws -> [Colony_V1_CellSummary] {
        try await anyNode(targets: [address]) { client, options in
            try await client.listCells(Colony_V1_ListCellsRequest(), options: options)
        }.cells
    }
}
