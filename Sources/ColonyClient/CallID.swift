import ColonyCore
import GRPCCore

/// The id a client gives each call that carries no request header (creating cells, a cell's
/// summary, listing a node's cells, a watch, the control service's calls), in the gRPC
/// metadata: the node names the call by it in its refusal and its audit line, so a refused
/// or audited call is found by the same id on the client's side and in the node's log. One
/// operation of the client library keeps its id over every attempt it makes, at any node.
/// Cell operations carry theirs in the header (session and sequence, or a trace id).
///
/// The id is the client's choice, so it is neither unique nor proof of anything: an audit
/// line's identity comes from the caller's certificate, never from the id.
public enum CallID {
    /// The metadata key.
    public static let metadataKey = "colony-request-id"
    /// The longest id a node takes.
    public static let bytesMax = 64

    /// Whether `id` is one a node takes: 1 to `bytesMax` ASCII letters, digits, dots, dashes
    /// or underscores (a node makes its own for any other).
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= bytesMax && PlainName.isPlain(id)
    }

    /// A new id, `prefix` and 16 random hex digits: a client's start `req-`, a node's own
    /// `call-`.
    public static func make(prefix: String = "req-") -> String {
        prefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// The id of the operation the client library runs in this task, kept over its attempts.
    @TaskLocal static var current: String?

    /// Runs `body` as one operation: every header-less call it makes carries one new id.
    static func operation<Value>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Value) async rethrows -> Value {
        try await $current.withValue(make(), operation: body, isolation: isolation)
    }

    /// The services whose calls may carry no header, by full name.
    static let services: Set<String> = ["colony.v1.Colony", "colony.v1.ColonyControl"]
    /// Their calls that carry no request header, by method name.
    static let headerless: Set<String> = [
        "CreateCell", "CreateCells", "CellInfo", "ListCells", "Watch", "ChangeMembership", "TransferLeadership", "ForceHeal",
    ]
}

/// Gives each call of the client that carries no request header its operation's `CallID`
/// (a new one outside an operation) in its metadata, unless it has one.
struct CallIDInterceptor: ClientInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        guard CallID.headerless.contains(context.descriptor.method), CallID.services.contains(context.descriptor.service.fullyQualifiedService),
              request.metadata[stringValues: CallID.metadataKey].first(where: { _ in true }) == nil
        else { return try await next(request, context) }
        var request = request
        request.metadata.addString(CallID.current ?? CallID.make(), forKey: CallID.metadataKey)
        return try await next(request, context)
    }
}
