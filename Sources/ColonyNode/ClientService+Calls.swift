import ColonyAPI
import ColonyAuth
import GRPCCore

/// The single calls of the client API. Each runs as its session operation does, for the
/// identity of the caller's certificate; a failed one ends with the gRPC status of its error
/// (`Colony_V1_ErrorCode.statusCode`: PERMISSION_DENIED for a request the policy refuses,
/// NOT_FOUND for an unknown cell, …) and the whole in-band error in the trailing metadata
/// (`Colony_V1_Error.statusDetailsKey`). A session, which carries many operations on one
/// stream, answers each failed operation in band instead and goes on.
extension ClientService {
    func get(request: Colony_V1_GetRequest, context: ServerContext) async throws -> Colony_V1_GetReply {
        try Self.failureAsStatus(await get(request, caller: Authorizer.identity(of: context)))
    }

    func put(request: Colony_V1_PutRequest, context: ServerContext) async throws -> Colony_V1_PutReply {
        try Self.failureAsStatus(await put(request, caller: Authorizer.identity(of: context)))
    }

    func delete(request: Colony_V1_DeleteRequest, context: ServerContext) async throws -> Colony_V1_DeleteReply {
        try Self.failureAsStatus(await delete(request, caller: Authorizer.identity(of: context)))
    }

    func compareAndSet(request: Colony_V1_CompareAndSetRequest, context: ServerContext) async throws -> Colony_V1_CompareAndSetReply {
        try Self.failureAsStatus(await compareAndSet(request, caller: Authorizer.identity(of: context)))
    }

    func increment(request: Colony_V1_IncrementRequest, context: ServerContext) async throws -> Colony_V1_IncrementReply {
        try Self.failureAsStatus(await increment(request, caller: Authorizer.identity(of: context)))
    }

    func list(request: Colony_V1_ListRequest, context: ServerContext) async throws -> Colony_V1_ListReply {
        try Self.failureAsStatus(await list(request, caller: Authorizer.identity(of: context)))
    }

    func transaction(request: Colony_V1_TransactionRequest, context: ServerContext) async throws -> Colony_V1_TransactionReply {
        try Self.failureAsStatus(await transaction(request, caller: Authorizer.identity(of: context)))
    }

    func deleteCell(request: Colony_V1_DeleteCellRequest, context: ServerContext) async throws -> Colony_V1_DeleteCellReply {
        try Self.failureAsStatus(await deleteCell(request, caller: Authorizer.identity(of: context)))
    }

    /// `reply`, or the status of the error it carries.
    static func failureAsStatus<Reply: ErrorCarryingReply>(_ reply: Reply) throws(RPCError) -> Reply {
        guard reply.hasError else { return reply }
        throw reply.error.status
    }
}

/// A reply of the client API that may carry an error.
protocol ErrorCarryingReply {
    var hasError: Bool { get }
    var error: Colony_V1_Error { get }
}

extension Colony_V1_GetReply: ErrorCarryingReply {}
extension Colony_V1_PutReply: ErrorCarryingReply {}
extension Colony_V1_DeleteReply: ErrorCarryingReply {}
extension Colony_V1_CompareAndSetReply: ErrorCarryingReply {}
extension Colony_V1_IncrementReply: ErrorCarryingReply {}
extension Colony_V1_ListReply: ErrorCarryingReply {}
extension Colony_V1_TransactionReply: ErrorCarryingReply {}
extension Colony_V1_DeleteCellReply: ErrorCarryingReply {}
