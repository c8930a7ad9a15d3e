import ColonyAPI
import enum ColonyWire.TraceParent
import Instrumentation

// A client's operations all travel on one session stream per node, so a request's trace
// context cannot ride in that stream's gRPC metadata: it rides in the request header's
// `trace_id`, the field the protocol keeps for an id carried to every node the request
// touches. A node reads it only when it is a well-formed traceparent (`TraceParent`);
// anything else there (an id a client chose for its logs) names the request in logs and
// nothing more.


/// Writes a tracer's `traceparent` into a request header's `trace_id`; other keys (baggage,
/// vendor state) are not carried.
public struct RequestHeaderInjector: Injector {
    /// Makes the injector.
    public init() {}

    /// Sets `trace_id` to `value` when `key` is `traceparent`.
    public func inject(_ value: String, forKey key: String, into carrier: inout Colony_V1_RequestHeader) {
        if key == "traceparent" { carrier.traceID = value }
    }
}

/// Reads a `traceparent` from a request header's `trace_id`, only when it is well formed:
/// the header comes from a client and is untrusted.
public struct RequestHeaderExtractor: Extractor {
    /// Makes the extractor.
    public init() {}

    /// The header's `trace_id` for `traceparent` when it is a well-formed traceparent; nil otherwise.
    public func extract(key: String, from carrier: Colony_V1_RequestHeader) -> String? {
        guard key == "traceparent", TraceParent.isWellFormed(carrier.traceID) else { return nil }
        return carrier.traceID
    }
}
