import ColonyAPI
import ColonyAuth
import GRPCCore

/// The single calls of the client API. Each runs as its session operation does, for the
/// identity of the caller's certificate; a request the policy refuses ends the call with the
/// gRPC status PERMISSION_DENIED (a session, which carries many operations on one stream,
/// answers that operation in band with `ERROR_CODE_UNAUTHORIZED` instead and goes on).
extension ClientService {
    func get(request: Colony_V1_GetRequest, context: ServerContext) async throws -> Colony_V1_GetReply {
        try Self.refusedAsStatus(await get(request, caller: Authorizer.identity(of: context)))
    }

    func put(request: Colony_V1_PutRequest, context: ServerContext) async throws -> Colony_V1_PutReply {
        try Self.refusedAsStatus(await put(request, caller: Authorizer.identity(of: context)))
    }

    func delete(request: Colony_V1_DeleteRequest, context: ServerContext) async throws -> Colony_V1_DeleteReply {
        try Self.refusedAsStatus(await delete(request, caller: Authorizer.identity(of: context)))
    }

    func compareAndSet(request: Colony_V1_CompareAndSetRequest, context: ServerContext) async throws -> Colony_V1_CompareAndSetReply {
        try Self.refusedAsStatus(await compareAndSet(request, caller: Authorizer.identity(of: context)))
    }

    func increment(request: Colony_V1_IncrementRequest, context: ServerContext) async throws -> Colony_V1_IncrementReply {
        try Self.refusedAsStatus(await increment(request, caller: Authorizer.identity(of: context)))
    }

    func list(request: Colony_V1_ListRequest, context: ServerContext) async throws -> Colony_V1_ListReply {
        try Self.refusedAsStatus(await list(request, caller: Authorizer.identity(of: context)))
    }

    func transaction(request: Colony_V1_TransactionRequest, context: ServerContext) async throws -> Colony_V1_TransactionReply {
        try Self.refusedAsStatus(await transaction(request, caller: Authorizer.identity(of: context)))
    }

    func deleteCell(request: Colony_V1_DeleteCellRequest, context: ServerContext) async throws -> Colony_V1_DeleteCellReply {
        try Self.refusedAsStatus(await deleteCell(request, caller: Authorizer.identity(of: context)))
    }

    /// `reply`, or PERMISSION_DENIED with its message when it carries an `UNAUTHORIZED` error.
    static func refusedAsStatus<Reply: ErrorCarryingReply>(_ reply: Reply) throws(RPCError) -> Reply {
        guard reply.hasError, reply.error.code == .unauthorized else { return reply }
        throw RPCError(code: .permissionDenied, message: reply.error.message)
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
