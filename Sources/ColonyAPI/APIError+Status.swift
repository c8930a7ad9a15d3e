import GRPCCore
import SwiftProtobuf

// A failed single call of the client API ends with a gRPC status for generic tooling (load
// balancers, interceptors, grpcurl), and with the whole in-band error in its trailing
// metadata for clients that act on the details (a leader's address, a configuration, what
// a compare-and-set found). A session, which carries many operations on one stream, keeps
// answering each in band.

extension Colony_V1_ErrorCode {
    /// The gRPC status code of the error, in the conventions etcd's API uses: NOT_LEADER and
    /// UNAVAILABLE are UNAVAILABLE (retry, elsewhere or later), a failed condition is
    /// FAILED_PRECONDITION, a quota RESOURCE_EXHAUSTED, a compacted revision OUT_OF_RANGE.
    public var statusCode: RPCError.Code {
        switch self {
        case .cellNotFound: return .notFound
        case .notLeader, .unavailable: return .unavailable
        case .staleEpoch, .conditionFailed, .notAnInteger, .sessionExpired: return .failedPrecondition
        case .invalidArgument, .valueTooLarge: return .invalidArgument
        case .quotaExceeded, .slowConsumer: return .resourceExhausted
        case .integerOverflow, .compacted: return .outOfRange
        case .transactionStepFailed: return .aborted
        case .unauthorized: return .permissionDenied
        case .cellExists: return .alreadyExists
        case .unspecified, .UNRECOGNIZED: return .unknown
        }
    }
}

extension Colony_V1_Error {
    /// The trailing metadata key that carries a failed call's in-band error, serialized.
    public static let statusDetailsKey = "colony-error-bin"

    /// The error as the gRPC status a single call ends with: its code mapped, its message
    /// for people, and the whole error under `statusDetailsKey`.
    public var status: RPCError {
        var metadata = Metadata()
        if let bytes: [UInt8] = try? serializedBytes() {
            metadata.addBinary(bytes, forKey: Self.statusDetailsKey)
        }
        return RPCError(code: code.statusCode, message: message, metadata: metadata)
    }

    /// The in-band error a failed call's status carries, if it carries one that decodes.
    public init?(carriedBy status: RPCError) {
        guard let bytes = status.metadata[binaryValues: Self.statusDetailsKey].first(where: { _ in true }),
              let error = try? Colony_V1_Error(serializedBytes: bytes)
        else { return nil }
        self = error
    }
}
