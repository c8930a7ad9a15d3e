import ColonyAPI
import ColonyAuth
import ColonyCore
import ColonyNodeCore
import GRPCCore

/// The calls that delete and describe cells, each for `caller`: a failure is in the
/// reply's error, which the call's handler (`ClientService+Calls`) turns into its status.
extension ClientService {
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
        try authorizer.check(caller, .read(cell: request.cell, keys: .every), rpc: "CellInfo", request: Authorizer.callName())
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
}
