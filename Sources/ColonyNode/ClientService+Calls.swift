import ColonyAPI
import ColonyAuth
import GRPCCore

/// The single calls of the client API. Each runs as its session operation does (or as
/// `ClientService+Cells` makes, deletes or describes cells), for the identity of the
/// caller's certificate; a failed one ends with the gRPC status of its error
/// (`Colony_V1_ErrorCode.statusCode`: PERMISSION_DENIED for a request the policy refuses,
/// NOT_FOUND for an unknown cell, …), the in-band error and the whole reply in the trailing
/// metadata (`ErrorCarryingReply.answered()`). A session, which carries many operations on one
/// stream, answers each failed operation in band instead and goes on.
extension ClientService {
    func get(request: Colony_V1_GetRequest, context: ServerContext) async throws -> Colony_V1_GetReply {
        try await get(request, caller: Authorizer.identity(of: context)).answered()
    }

    func put(request: Colony_V1_PutRequest, context: ServerContext) async throws -> Colony_V1_PutReply {
        try await put(request, caller: Authorizer.identity(of: context)).answered()
    }

    func delete(request: Colony_V1_DeleteRequest, context: ServerContext) async throws -> Colony_V1_DeleteReply {
        try await delete(request, caller: Authorizer.identity(of: context)).answered()
    }

    func compareAndSet(request: Colony_V1_CompareAndSetRequest, context: ServerContext) async throws -> Colony_V1_CompareAndSetReply {
        try await compareAndSet(request, caller: Authorizer.identity(of: context)).answered()
    }

    func increment(request: Colony_V1_IncrementRequest, context: ServerContext) async throws -> Colony_V1_IncrementReply {
        try await increment(request, caller: Authorizer.identity(of: context)).answered()
    }

    func list(request: Colony_V1_ListRequest, context: ServerContext) async throws -> Colony_V1_ListReply {
        try await list(request, caller: Authorizer.identity(of: context)).answered()
    }

    func transaction(request: Colony_V1_TransactionRequest, context: ServerContext) async throws -> Colony_V1_TransactionReply {
        try await transaction(request, caller: Authorizer.identity(of: context)).answered()
    }

    func deleteCell(request: Colony_V1_DeleteCellRequest, context: ServerContext) async throws -> Colony_V1_DeleteCellReply {
        try await deleteCell(request, caller: Authorizer.identity(of: context)).answered()
    }

    func restore(request: Colony_V1_RestoreRequest, context: ServerContext) async throws -> Colony_V1_RestoreReply {
        try await restore(request, caller: Authorizer.identity(of: context)).answered()
    }

    func createCell(request: Colony_V1_CreateCellRequest, context: ServerContext) async throws -> Colony_V1_CreateCellReply {
        try await createCell(request, caller: Authorizer.identity(of: context)).answered()
    }

    func createCells(request: Colony_V1_CreateCellsRequest, context: ServerContext) async throws -> Colony_V1_CreateCellsReply {
        try await createCells(request, caller: Authorizer.identity(of: context)).answered()
    }

    func cellInfo(request: Colony_V1_CellInfoRequest, context: ServerContext) async throws -> Colony_V1_CellInfoReply {
        try await cellInfo(request, caller: Authorizer.identity(of: context)).answered()
    }

    func listCells(request: Colony_V1_ListCellsRequest, context: ServerContext) async throws -> Colony_V1_ListCellsReply {
        try await listCells(request, caller: Authorizer.identity(of: context)).answered()
    }
}
