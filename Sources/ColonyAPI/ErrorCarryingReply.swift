import GRPCCore
import SwiftProtobuf

// Every unary call of the API, and the watch, fails the same way: with the gRPC status of
// its error (`Colony_V1_ErrorCode.statusCode`), the error under `colony-error-bin` for any
// tool, and the whole reply under `colony-reply-bin` for the client, which also reads what a
// reply holds beside its error (why the control service refused a change). A node answers
// through `answered()`, the client reads through `inBand(_:)`: one mapping, both ways.

/// A reply of the API that carries an error, set when the call failed.
public protocol ErrorCarryingReply: SwiftProtobuf.Message, Sendable {
    /// Whether the call failed.
    var hasError: Bool { get }
    /// Why the call failed, when it did.
    var error: Colony_V1_Error { get set }
}

extension ErrorCarryingReply {
    /// The trailing metadata key that carries a failed call's whole reply, serialized.
    public static var statusReplyKey: String { "colony-reply-bin" }

    /// The reply, when the call succeeded; the gRPC status of its error otherwise, carrying
    /// the error (`Colony_V1_Error.status`) and the whole reply under `statusReplyKey`.
    public func answered() throws(RPCError) -> Self {
        guard hasError else { return self }
        var status = error.status
        if let bytes: [UInt8] = try? serializedBytes() {
            status.metadata.addBinary(bytes, forKey: Self.statusReplyKey)
        }
        throw status
    }

    /// The reply a failed call's status carries: the whole reply when the status holds one
    /// that decodes and has an error, else a reply holding only the status's in-band error;
    /// nil when the status carries neither (the call failed before a node answered it).
    public init?(carriedBy status: RPCError) {
        if let bytes = status.metadata[binaryValues: Self.statusReplyKey].first(where: { _ in true }),
           let reply = try? Self(serializedBytes: bytes), reply.hasError
        {
            self = reply
            return
        }
        guard let error = Colony_V1_Error(carriedBy: status) else { return nil }
        self.init()
        self.error = error
    }

    /// The reply of `call`, a failure's status turned back into the reply it carries, so the
    /// caller reads every answer of a node in band; a status that carries none is thrown.
    public static func inBand(_ call: @Sendable () async throws -> Self) async throws -> Self {
        do {
            return try await call()
        } catch let status as RPCError {
            guard let reply = Self(carriedBy: status) else { throw status }
            return reply
        }
    }
}

extension Colony_V1_GetReply: ErrorCarryingReply {}
extension Colony_V1_PutReply: ErrorCarryingReply {}
extension Colony_V1_DeleteReply: ErrorCarryingReply {}
extension Colony_V1_CompareAndSetReply: ErrorCarryingReply {}
extension Colony_V1_IncrementReply: ErrorCarryingReply {}
extension Colony_V1_ListReply: ErrorCarryingReply {}
extension Colony_V1_TransactionReply: ErrorCarryingReply {}
extension Colony_V1_CreateCellReply: ErrorCarryingReply {}
extension Colony_V1_CreateCellsReply: ErrorCarryingReply {}
extension Colony_V1_DeleteCellReply: ErrorCarryingReply {}
extension Colony_V1_RestoreReply: ErrorCarryingReply {}
extension Colony_V1_CellInfoReply: ErrorCarryingReply {}
extension Colony_V1_ListCellsReply: ErrorCarryingReply {}
extension Colony_V1_ChangeMembershipReply: ErrorCarryingReply {}
extension Colony_V1_TransferLeadershipReply: ErrorCarryingReply {}
extension Colony_V1_ForceHealReply: ErrorCarryingReply {}
