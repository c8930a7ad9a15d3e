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

/// The control plane's calls: replace a member through the cell's log, and look at one node's
/// replicas. Applications do not need them.
extension ColonyClient {
    /// Asks `cell`'s leader to replace member `remove` by node `add`, as decided when the
    /// cell was at `expectedEpoch`; follows leader hints, tries members and seeds in turn
    /// until one answers or the policy's deadline passes. Throws for a cell not found or
    /// deleted, an invalid change, or when no node answered.
    public func changeMembership(
        _ cell: String, remove: UInt32, add: UInt32, expectedEpoch: UInt64
    ) async throws -> MembershipChangeAnswer {
        var made = Colony_V1_ChangeMembershipRequest()
        made.cell = cell
        made.remove = remove
        made.add = add
        made.expectedEpoch = expectedEpoch
        let request = made
        let started = ContinuousClock.now
        if views[cell] == nil { views[cell] = CellView() }
        var target = views[cell]?.leader ?? views[cell]?.members.first ?? seeds[0]
        var tried: Set<String> = []
        var lastProblem = "no node asked"
        var attempt = 0
        while ContinuousClock.now - started < policy.deadline {
            attempt += 1
            tried.insert(target)
            var options = CallOptions.defaults
            options.timeout = policy.attemptTimeout
            let reply: Colony_V1_ChangeMembershipReply
            do {
                reply = try await connection(target).control.changeMembership(request, options: options)
            } catch {
                lastProblem = "\(target): \(TLSFailure(error).map { "\($0)" } ?? "\(error)")"
                target = untried(cell, tried: tried) ?? target
                try await backOff(attempt)
                continue
            }
            guard reply.hasError else {
                learn(cell, reply.configuration, hasConfiguration: reply.hasConfiguration)
                views[cell]?.leader = target
                return reply.alreadyApplied ? .alreadyApplied(reply.configuration) : .applied(reply.configuration)
            }
            let error = reply.error
            lastProblem = "\(target): \(error.message)"
            switch error.code {
            case .notLeader:
                learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
                if !error.leaderAddress.isEmpty, error.leaderAddress != target {
                    target = error.leaderAddress
                } else {
                    target = untried(cell, tried: tried) ?? target
                    try await backOff(attempt)
                }
            case .staleEpoch:
                learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
                return .staleEpoch(error.configuration, error.message)
            case .unavailable where reply.refusal != .unspecified:
                return .refused(reply.refusal, error.message)
            case .unavailable:
                try await backOff(attempt)
            case .cellNotFound where !error.cellDeleted:
                guard let next = untried(cell, tried: tried) else { throw ColonyError(error) }
                target = next
            default:
                throw ColonyError(error)
            }
        }
        return .refused(.unspecified, "no answer within \(policy.deadline) (\(lastProblem)); retry the same change")
    }

    /// The replicas node `address` hosts, as it knows them (a removed member may still hold a
    /// replica of an older epoch); asks that node only.
    public func listCells(at address: String) async throws -> [Colony_V1_CellSummary] {
        try await anyNode(targets: [address]) { client, options in
            try await client.listCells(Colony_V1_ListCellsRequest(), options: options)
        }.cells
    }

    /// A member or seed of `cell` not asked yet, if any.
    private func untried(_ cell: String, tried: Set<String>) -> String? {
        ((views[cell]?.members ?? []) + seeds).first { !tried.contains($0) }
    }
}
