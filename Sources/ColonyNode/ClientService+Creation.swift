import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore

/// Cell creation for `caller`, one cell (`CreateCell`) or many (`CreateCells`), through the
/// same path: each cell is validated and authorized on its own (`AuthOperation.createCell`
/// of its name: the admin role), the node's core creates the batch's cells together, and the answer comes once
/// this node's replicas of them are durable (`NodeCore.createCells`).
extension ClientService {
    /// The most cells one `CreateCells` request may carry (the proto's documented bound).
    static var createCellsMax: Int { NodeCore.createCellsMax }

    func createCell(_ request: Colony_V1_CreateCellRequest, caller: Identity) async throws -> Colony_V1_CreateCellReply {
        switch try await create([request], caller: caller, rpc: "CreateCell") {
        case .success(let replies):
            return replies[0]
        case .failure(let error):
            var reply = Colony_V1_CreateCellReply()
            reply.error = error
            return reply
        }
    }

    func createCells(_ request: Colony_V1_CreateCellsRequest, caller: Identity) async throws -> Colony_V1_CreateCellsReply {
        var reply = Colony_V1_CreateCellsReply()
        guard request.cells.count <= Self.createCellsMax else {
            reply.error = APIMapping.invalid(
                "CreateCells carries \(request.cells.count) cells and a request may carry at most \(Self.createCellsMax); split it into several")
            return reply
        }
        switch try await create(request.cells, caller: caller, rpc: "CreateCells") {
        case .success(let cells): reply.cells = cells
        case .failure(let error): reply.error = error
        }
        return reply
    }

    /// Each of `requests`' answers, in order, or the error of the whole call when the node
    /// stopped before its replicas were durable.
    private func create(
        _ requests: [Colony_V1_CreateCellRequest], caller: Identity, rpc: String
    ) async throws -> Result<[Colony_V1_CreateCellReply], Colony_V1_Error> {
        var replies = [Colony_V1_CreateCellReply](repeating: Colony_V1_CreateCellReply(), count: requests.count)
        var valid: [(index: Int, cell: CellID, configuration: CellConfiguration)] = []
        for (index, request) in requests.enumerated() {
            switch APIMapping.creation(request, config: config, nodes: peers.nodes.map(\.rawValue)) {
            case .success(let (cell, configuration)): valid.append((index, cell, configuration))
            case .failure(let error): replies[index].error = error
            }
        }
        // One decision per cell (grants are by name), one audit line for the call's allowed ones.
        let call = Authorizer.callName()
        let refusals = authorizer.refusals(caller, valid.map { .createCell($0.cell.name) }, rpc: rpc, request: call)
        if let unread = refusals.lazy.compactMap({ $0 }).first(where: \.isRetryable) {
            // Before its first read of the policy the node refuses every cell alike: failing
            // the whole call lets the client ask again, as it does for no node answering.
            return .failure(Authorizer.error(unread, rpc: rpc, request: call))
        }
        var batch: [(cell: CellID, configuration: CellConfiguration)] = []
        var positions: [Int] = []
        for ((index, cell, configuration), refused) in zip(valid, refusals) {
            if let refused {
                replies[index].error = Authorizer.error(refused, rpc: rpc, request: call)
            } else if !configuration.contains(NodeID(config.node)) {
                replies[index].error = notAMember(of: configuration, cell: cell)
            } else {
                batch.append((cell, configuration))
                positions.append(index)
            }
        }
        guard !batch.isEmpty else { return .success(replies) }
        let driver = driver
        let cells = batch
        let answer = try await driver.loop.flatSubmit { driver.createCells(cells) }.get()
        guard case .cellsCreated(let outcomes) = answer, outcomes.count == batch.count else {
            var unavailable = APIMapping.error(
                .unavailable,
                "node \(config.node) stopped before its replicas of the \(batch.count) new cells were durable; ask again (cells already made answer already_existed)")
            unavailable.retryAfterMs = 100
            return .failure(unavailable)
        }
        for (position, (creation, outcome)) in zip(positions, zip(batch, outcomes)) {
            replies[position] = reply(to: creation, outcome)
        }
        return .success(replies)
    }

    /// The answer for one created cell.
    private func reply(
        to creation: (cell: CellID, configuration: CellConfiguration), _ outcome: CellCreationOutcome
    ) -> Colony_V1_CreateCellReply {
        var reply = Colony_V1_CreateCellReply()
        let (cell, configuration) = creation
        switch outcome {
        case .created:
            reply.configuration = Colony_V1_CellConfiguration(configuration, address: address)
        case .exists(let current) where current == nil || current?.members == configuration.members:
            reply.configuration = Colony_V1_CellConfiguration(current ?? configuration, address: address)
            reply.alreadyExisted = true
        case .exists(let current):
            let members = current.map { "\($0.members)" } ?? "unknown"
            reply.error = APIMapping.error(
                .cellExists, "cell \(cell.name) already exists with members \(members); choose another name or delete it first")
        case .deleted(let tombstone):
            var exists = APIMapping.error(
                .cellExists,
                "cell \(cell.name) was deleted at revision \(tombstone.revision) and names of deleted cells are not reused; choose another name")
            exists.cellDeleted = true
            reply.error = exists
        }
        return reply
    }

    /// The answer of a node that is not a member of the cell to be created: ask a member, which
    /// knows whether a cell of that name was deleted.
    private func notAMember(of configuration: CellConfiguration, cell: CellID) -> Colony_V1_Error {
        let members = configuration.members.map { "\($0) (\(address($0) ?? "address unknown"))" }.joined(separator: ", ")
        var redirect = APIMapping.error(
            .notLeader, "node \(config.node) is not a member of the new cell \(cell.name); create it at one of its members: \(members)")
        if let first = configuration.members.first {
            redirect.leaderHint = first.rawValue
            redirect.leaderAddress = address(first) ?? ""
        }
        redirect.configuration = Colony_V1_CellConfiguration(configuration, address: address)
        return redirect
    }
}
