import GRPCCore

/// The id a client gives each call that carries no request header (creating cells, a cell's
/// summary, listing a node's cells, a watch, the control service's calls), in the gRPC
/// metadata: the node names the call by it in its refusal and its audit line, so a refused
/// or audited call is found by the same id on the client's side and in every node's log.
/// Cell operations carry theirs in the header (session and sequence, or a trace id).
public enum RequestID {
    /// The metadata key.
    public static let metadataKey = "colony-request-id"
    /// The longest id a node takes.
    public static let bytesMax = 64

    /// Whether `id` is one a node takes: 1 to `bytesMax` ASCII letters, digits, dots, dashes
    /// or underscores (a node makes its own for any other).
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= bytesMax
            && id.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_")
            }
    }

    /// A new id: `call-` and 16 random hex digits.
    public static func make() -> String {
        "call-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// The calls that carry no request header, by method name.
    static let headerless: Set<String> = [
        "CreateCell", "CreateCells", "CellInfo", "ListCells", "Watch", "ChangeMembership", "TransferLeadership", "ForceHeal",
    ]
}

/// Gives each call of the client that carries no request header a new `RequestID` in its
/// metadata, unless it has one.
struct RequestIDInterceptor: ClientInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        guard RequestID.headerless.contains(context.descriptor.method), request.metadata[stringValues: RequestID.metadataKey].first(where: { _ in true }) == nil
        else { return try await next(request, context) }
        var request = request
        request.metadata.addString(RequestID.make(), forKey: RequestID.metadataKey)
        return try await next(request, context)
    }
}
