import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore
import Logging
import NIOCore

/// The control service of one node: the calls the control plane makes to move replicas.
/// Like every node API it only answers; the node never calls the control plane. A failed
/// call ends with the gRPC status of its error, the error and the whole reply (its refusal)
/// in the trailing metadata (`ErrorCarryingReply.answered()`), as the client API's calls do.
struct ControlService: Colony_V1_ColonyControl.SimpleServiceProtocol {
    let driver: NodeDriver
    let config: NodeConfig
    /// Where the colony's nodes are.
    let peers: PeerAddresses
    /// How long a change may wait for its cell to commit it before the reply says `UNAVAILABLE`.
    let requestTimeout: TimeAmount
    let logger: Logger
    /// Decides who may do what: every call here needs the admin role.
    let authorizer: Authorizer

    func address(_ node: NodeID) -> String? {
        peers.address(of: node)?.clientAddress
    }

    func changeMembership(
        request: Colony_V1_ChangeMembershipRequest, context: ServerContext
    ) async throws -> Colony_V1_ChangeMembershipReply {
        try await changeMembership(request, caller: Authorizer.identity(of: context)).answered()
    }

    func transferLeadership(
        request: Colony_V1_TransferLeadershipRequest, context: ServerContext
    ) async throws -> Colony_V1_TransferLeadershipReply {
        try await transferLeadership(request, caller: Authorizer.identity(of: context)).answered()
    }

    func forceHeal(request: Colony_V1_ForceHealRequest, context: ServerContext) async throws -> Colony_V1_ForceHealReply {
        try await forceHeal(request, caller: Authorizer.identity(of: context)).answered()
    }

    private func changeMembership(
        _ request: Colony_V1_ChangeMembershipRequest, caller: Identity
    ) async throws(RPCError) -> Colony_V1_ChangeMembershipReply {
        var reply = Colony_V1_ChangeMembershipReply()
        let cell: CellID
        switch try admittedCell(request.cell, caller: caller, rpc: "ChangeMembership", AuthOperation.changeMembership) {
        case .success(let valid): cell = valid
        case .failure(let error):
            reply.error = error
            return reply
        }
        if let problem = invalidChange(request) {
            reply.error = APIMapping.invalid("cell \(cell.name): \(problem)")
            return reply
        }
        guard peers.address(of: NodeID(request.add)) != nil else {
            // A node that joined since this node last read the directory: read it now, and
            // have the control plane ask again once it is known.
            peers.wantRefresh()
            var unknown = APIMapping.error(
                .unavailable,
                "cell \(cell.name): node \(request.add) is not in node \(config.node)'s peer book yet (its nodes are \(peers.nodes.map(\.rawValue))); it reads the directory's node records now, so ask again")
            unknown.retryAfterMs = 500
            reply.error = unknown
            return reply
        }
        let change = MembershipChange(remove: NodeID(request.remove), add: NodeID(request.add))
        logger.notice("control plane asks to \(change)", metadata: ["cell": "\(cell.name)", "epoch": "\(request.expectedEpoch)"])
        guard let outcome = await driver.askToChangeMembership(
            cell, change, expectedEpoch: request.expectedEpoch, timeout: requestTimeout)
        else {
            var unavailable = APIMapping.error(
                .unavailable,
                "cell \(cell.name) did not commit \(change) within \(requestTimeout.nanoseconds / 1_000_000) ms; it may still apply, so retry the same change")
            unavailable.retryAfterMs = 100
            reply.error = unavailable
            return reply
        }
        answer(outcome, cell: cell, change: change, into: &reply)
        return reply
    }

    /// What is wrong with the request's nodes, if anything.
    private func invalidChange(_ request: Colony_V1_ChangeMembershipRequest) -> String? {
        if request.remove == 0 || request.add == 0 { return "name the member to remove and the node to add (node ids from 1)" }
        if request.remove == request.add { return "removing and adding node \(request.add) is a renewal, which replicas ask for themselves" }
        if request.expectedEpoch == 0 { return "expected_epoch must be the epoch the control plane saw (from 1)" }
        return nil
    }

    private func answer(
        _ outcome: MembershipChangeOutcome, cell: CellID, change: MembershipChange, into reply: inout Colony_V1_ChangeMembershipReply
    ) {
        switch outcome {
        case .applied(let configuration):
            logger.notice("members now \(configuration.members) after \(change)", metadata: ["cell": "\(cell.name)"])
            reply.configuration = Colony_V1_CellConfiguration(configuration, address: address)
        case .alreadyApplied(let configuration):
            reply.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            reply.alreadyApplied = true
        case .notHosted:
            reply.error = APIMapping.error(.cellNotFound, "node \(config.node) hosts no replica of cell \(cell.name); ask its leader")
        case .deleted(let tombstone):
            reply.error = APIMapping.deleted(cell, revision: tombstone.revision)
        case .unavailable(let message):
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 100
            reply.error = unavailable
        case .refused(let refusal):
            refuse(refusal, cell: cell, into: &reply)
        }
    }

    private func refuse(_ refusal: MembershipChangeRefusal, cell: CellID, into reply: inout Colony_V1_ChangeMembershipReply) {
        let message = "cell \(cell.name): \(refusal)"
        switch refusal {
        case .noState:
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 100
            reply.error = unavailable
        case .notLeader(let leader, let configuration):
            var redirect = APIMapping.error(.notLeader, message)
            if let leader {
                redirect.leaderHint = leader.rawValue
                redirect.leaderAddress = address(leader) ?? ""
            }
            redirect.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            redirect.retryAfterMs = leader == nil ? 50 : 0
            reply.error = redirect
        case .staleEpoch(_, let current):
            var stale = APIMapping.error(.staleEpoch, message)
            stale.configuration = Colony_V1_CellConfiguration(current, address: address)
            reply.error = stale
        case .changeInFlight:
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 100
            reply.error = unavailable
            reply.refusal = .changeInFlight
        case .wouldLoseMajority(let live, _):
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 500
            reply.error = unavailable
            reply.refusal = .wouldLoseMajority
            reply.liveMembers = live.map(\.rawValue)
        case .invalid:
            reply.error = APIMapping.invalid(message)
        }
    }
}

extension ControlService {
    /// The cell a control call names, once its name is valid and `caller` may do `operation`
    /// to it; the name's error otherwise. A refusal throws PERMISSION_DENIED, before
    /// anything is done.
    func admittedCell(
        _ name: String, caller: Identity, rpc: String, _ operation: (String) -> AuthOperation
    ) throws(RPCError) -> Result<CellID, Colony_V1_Error> {
        let named = APIMapping.cell(name)
        if case .success(let cell) = named {
            try authorizer.check(caller, operation(cell.name), rpc: rpc, request: Authorizer.callName())
        }
        return named
    }
}
