/// The W3C trace context a request carries (`traceparent`, version 00):
/// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, 55 ASCII characters.
///
/// It comes from clients (in a request header's `trace_id`) and from peers (in a
/// `traceContexts` frame): both are untrusted, and anything but a well-formed traceparent is
/// refused without being looked at further.
public enum TraceParent {
    /// The length of a version-00 traceparent.
    public static let length = 55

    /// Whether `text` is a version-00 traceparent: lowercase hex fields of the right
    /// lengths, a trace id and a span id that are not all zeros.
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.utf8.count == length else { return false }
        let bytes = Array(text.utf8)
        guard bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") else { return false }
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

