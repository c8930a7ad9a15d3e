/// Where a node sends the spans of traced requests, and how many traces it starts.
///
/// ```json
/// "tracing": { "endpoint": "http://127.0.0.1:4317", "samplingRatio": 0.01 }
/// ```
///
/// `endpoint` is an OTLP/gRPC collector (`http://HOST:PORT`, or `https://` for TLS with the
/// system's trust). A request that arrives with a trace context (from a traced client)
/// follows its client's sampling decision; `samplingRatio` (0 to 1, default 1) is the share
/// of the other requests the node traces, each as a trace of its own that starts at the
/// node. Without the section the node traces nothing and pays nothing for it.
public struct NodeTracing: Codable, Hashable, Sendable {
    /// The OTLP/gRPC endpoint spans are exported to.
    public var endpoint: String
    /// The share of root traces sampled, from 0 to 1; nil means 1.
    public var samplingRatio: Double?

    /// Makes a tracing section.
    public init(endpoint: String, samplingRatio: Double? = nil) {
        self.endpoint = endpoint
        self.samplingRatio = samplingRatio
    }

    /// The ratio in force.
    public var effectiveSamplingRatio: Double { samplingRatio ?? 1 }

    /// Checks the section: an `http://` or `https://` endpoint naming HOST:PORT and nothing
    /// more, a ratio from 0 to 1.
    public func validate() throws(NodeConfigProblem) {
        let schemes = ["http://", "https://"]
        guard let scheme = schemes.first(where: { endpoint.hasPrefix($0) }), HostPort(String(endpoint.dropFirst(scheme.count))) != nil
        else {
            throw NodeConfigProblem(
                "\"tracing.endpoint\" is \"\(endpoint.prefix(100))\", not an OTLP/gRPC endpoint; write http://HOST:PORT (or https://HOST:PORT), e.g. http://127.0.0.1:4317")
        }
        if let samplingRatio, !(samplingRatio.isFinite && (0...1).contains(samplingRatio)) {
            throw NodeConfigProblem("\"tracing.samplingRatio\" must be from 0 to 1, not \(samplingRatio)")
        }
    }
}
