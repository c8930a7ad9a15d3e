import ColonyAPI
import Instrumentation

/// The W3C trace context a request carries (`traceparent`, version 00):
/// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, 55 ASCII characters.
///
/// A client's operations all travel on one session stream per node, so a request's trace
/// context cannot ride in that stream's gRPC metadata: it rides in the request header's
/// `trace_id`, the field the protocol keeps for an id carried to every node the request
/// touches. A node reads it only when it is a well-formed traceparent; anything else there
/// (an id a client chose for its logs) names the request in logs and nothing more.
public enum TraceParent {
    /// The length of a version-00 traceparent.
    public static let length = 55

    /// Whether `text` is a version-00 traceparent: lowercase hex fields of the right
    /// lengths, a trace id and a span id that are not all zeros.
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == length, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") else { return false }
        guard bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-") else { return false }
        let traceID = bytes[3..<35]
        let spanID = bytes[36..<52]
        let flags = bytes[53..<55]
        guard (traceID + spanID + flags).allSatisfy(isLowercaseHex) else { return false }
        return traceID.contains { $0 != UInt8(ascii: "0") } && spanID.contains { $0 != UInt8(ascii: "0") }
    }

    /// The trace id of a well-formed traceparent (32 hex digits), for log lines; nil otherwise.
    public static func traceID(of text: String) -> String? {
        guard isWellFormed(text) else { return nil }
        let utf8 = Array(text.utf8)
        return String(decoding: utf8[3..<35], as: UTF8.self)
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

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
