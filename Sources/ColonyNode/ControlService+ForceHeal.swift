import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore

extension ControlService {
    /// Forces this node's damaged replica of the cell to vote again (`NodeCore.forceHeal`).
    /// `colony cell force-recover` asks it only after checking that a majority of the cell's
    /// members is damaged and the operator confirmed the risk; the node checks its replica.
    func forceHeal(_ request: Colony_V1_ForceHealRequest, caller: Identity) async throws(RPCError) -> Colony_V1_ForceHealReply {
        var reply = Colony_V1_ForceHealReply()
        let cell: CellID
        switch try admittedCell(request.cell, caller: caller, rpc: "ForceHeal", AuthOperation.forceHeal) {
        case .success(let valid): cell = valid
        case .failure(let error):
            reply.error = error
            return reply
        }
        logger.warning("an operator forces this node's damaged replica to vote again", metadata: ["cell": "\(cell.name)"])
        switch await driver.askToForceHeal(cell) ?? .stopping {
        case .stopping:
            reply.error = APIMapping.error(.unavailable, "node \(config.node) is stopping; ask again once it runs")
        case .forced(let appliedThrough):
            reply.appliedThrough = appliedThrough
        case .notHosted:
            reply.error = APIMapping.error(.cellNotFound, "node \(config.node) hosts no replica of cell \(cell.name): it holds no state of the cell to recover from")
        case .deleted(let tombstone):
            reply.error = APIMapping.deleted(cell, revision: tombstone.revision)
        case .refused(let refusal):
            let message = "cell \(cell.name) on node \(config.node): \(refusal)"
            switch refusal {
            case .noState, .catchingUp:
                var unavailable = APIMapping.error(.unavailable, message)
                unavailable.retryAfterMs = 500
                reply.error = unavailable
            case .notDamaged, .notMember:
                reply.error = APIMapping.invalid(message)
            }
        }
        return reply
    }
}
