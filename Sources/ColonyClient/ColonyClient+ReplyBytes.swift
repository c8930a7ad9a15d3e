import GRPCCore

extension ColonyClient {
    /// The largest message the client accepts from a node, in bytes: as large as a node accepts
    /// from a client (`clientMessageBytesMax`), so a listing of a whole cell at the colony's
    /// largest quota (8 MiB of keys and values) arrives in one reply; gRPC's own default, 4 MiB,
    /// would refuse it.
    public static let replyBytesMax = 32 * 1024 * 1024

    /// The options every call and session starts from: gRPC's defaults with `replyBytesMax`.
    /// The transport bounds what it receives on a call by the request limit, so both are set.
    static var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.maxRequestMessageBytes = replyBytesMax
        options.maxResponseMessageBytes = replyBytesMax
        return options
    }
}
