import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore

/// The calls that make, delete and describe cells, each for `caller`: a failure is in the
/// reply's error, which the call's handler (`ClientService+Calls`) turns into its status.
extension ClientService {
    func createCell(_ request: Colony_V1_CreateCellRequest, caller: Identity) async throws -> Colony_V1_CreateCellReply {
        var reply = Colony_V1_CreateCellReply()
        let configuration: CellConfiguration
        let cell: CellID
        switch APIMapping.creation(request, config: config, nodes: peers.nodes.map(\.rawValue)) {
        case .success(let (name, made)):
            cell = name
            configuration = made
        case .failure(let error):
            reply.error = error
            return reply
        }
        try authorizer.check(caller, .createCell(cell.name), rpc: "CreateCell", request: Authorizer.callName())
        guard configuration.contains(NodeID(config.node)) else {
            reply.error = notAMember(of: configuration, cell: cell)
            return reply
        }
        let driver = driver
        switch try await driver.loop.submit({ driver.createCell(cell, configuration: configuration) }).get() {
        case .created:
            reply.configuration = Colony_V1_CellConfiguration(configuration, address: address)
        case .exists(let current) where current == nil || current?.members == configuration.members:
            reply.configuration = Colony_V1_CellConfiguration(current ?? configuration, address: address)
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

    func deleteCell(_ request: Colony_V1_DeleteCellRequest, caller: Identity) async -> Colony_V1_DeleteCellReply {
        var reply = Colony_V1_DeleteCellReply()
        switch await execute(request.header, .deleteCell, .deleteCell, caller: caller) {
        case .success(.cellDeleted): break
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error) where error.cellDeleted: reply.alreadyDeleted = true
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func restore(_ request: Colony_V1_RestoreRequest, caller: Identity) async -> Colony_V1_RestoreReply {
        var reply = Colony_V1_RestoreReply()
        switch await execute(request.header, .restore(APIMapping.restore(request)), .restore, caller: caller) {
        case .success(.written(let revision)): reply.revision = revision
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func cellInfo(_ request: Colony_V1_CellInfoRequest, caller: Identity) async throws -> Colony_V1_CellInfoReply {
        var reply = Colony_V1_CellInfoReply()
        if case .failure(let invalid) = APIMapping.cell(request.cell) {
            reply.error = invalid
            return reply
        }
        try authorizer.check(caller, .read(cell: request.cell), rpc: "CellInfo", request: Authorizer.callName())
        let status = try await driver.currentStatus()
        guard let cell = status.cells.first(where: { $0.cell.name == request.cell }) else {
            if let deleted = status.deletedCells.first(where: { $0.name == request.cell }) {
                reply.error = APIMapping.deleted(deleted)
            } else {
                reply.error = APIMapping.error(.cellNotFound, "node \(config.node) hosts no replica of cell \(request.cell)")
            }
            return reply
        }
        reply.cell = summary(cell)
        return reply
    }

    func listCells(_ request: Colony_V1_ListCellsRequest, caller: Identity) async throws -> Colony_V1_ListCellsReply {
        var reply = Colony_V1_ListCellsReply()
        try authorizer.check(caller, .listCells, rpc: "ListCells", request: Authorizer.callName())
        let status = try await driver.currentStatus()
        reply.cells = status.cells.map(summary)
        return reply
    }

    private func summary(_ cell: CellStatus) -> Colony_V1_CellSummary {
        var summary = Colony_V1_CellSummary()
        summary.cell = cell.cell.name
        if let configuration = cell.configuration {
            summary.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            summary.limits = Colony_V1_CellLimits(configuration.limits)
        }
        summary.leader = cell.leaderHint?.rawValue ?? 0
        summary.appliedThrough = cell.appliedThrough
        summary.damaged = cell.isDamaged
        summary.keyCount = UInt64(cell.keyCount)
        summary.byteCount = UInt64(cell.byteCount)
        summary.revision = cell.revision
        return summary
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
