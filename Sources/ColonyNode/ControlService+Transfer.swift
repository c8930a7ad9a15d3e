import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore

extension ControlService {
    /// Asks the cell's leader, if this node leads it, to hand its lead to the request's target.
    func transferLeadership(
        _ request: Colony_V1_TransferLeadershipRequest, caller: Identity
    ) async throws(RPCError) -> Colony_V1_TransferLeadershipReply {
        var reply = Colony_V1_TransferLeadershipReply()
        let cell: CellID
        switch try admittedCell(request.cell, caller: caller, rpc: "TransferLeadership", AuthOperation.transferLeadership) {
        case .success(let valid): cell = valid
        case .failure(let error):
            reply.error = error
            return reply
        }
        guard request.target != 0 else {
            reply.error = APIMapping.invalid("cell \(cell.name): name the member that should lead (node ids from 1)")
            return reply
        }
        let target = NodeID(request.target)
        switch await driver.askToTransferLeadership(of: cell, to: target) ?? .stopping {
        case .stopping:
            reply.error = APIMapping.error(.unavailable, "node \(config.node) is stopping; ask the cell's next leader")
        case .asked:
            logger.notice("asked \(target) to take over the lead", metadata: ["cell": "\(cell.name)"])
        case .notHosted:
            reply.error = APIMapping.error(.cellNotFound, "node \(config.node) hosts no replica of cell \(cell.name); ask its leader")
        case .deleted(let tombstone):
            reply.error = APIMapping.deleted(cell, revision: tombstone.revision)
        case .refused(let refusal):
            refuse(refusal, cell: cell, into: &reply)
        }
        return reply
    }

    private func refuse(_ refusal: LeadershipTransferRefusal, cell: CellID, into reply: inout Colony_V1_TransferLeadershipReply) {
        let message = "cell \(cell.name): \(refusal)"
        switch refusal {
        case .noState:
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 100
            reply.error = unavailable
        case .notLeader(let leader):
            var redirect = APIMapping.error(.notLeader, message)
            if let leader {
                redirect.leaderHint = leader.rawValue
                redirect.leaderAddress = address(leader) ?? ""
            }
            redirect.retryAfterMs = leader == nil ? 50 : 0
            reply.error = redirect
        case .targetLeadsAlready:
            reply.alreadyLeader = true
        case .notMember:
            reply.error = APIMapping.invalid(message)
            reply.refusal = .notMember
        case .targetNotLive:
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 500
            reply.error = unavailable
            reply.refusal = .targetNotLive
        case .changeInFlight:
            var unavailable = APIMapping.error(.unavailable, message)
            unavailable.retryAfterMs = 100
            reply.error = unavailable
            reply.refusal = .changeInFlight
        }
    }
}
