import ColonyAPI
import ColonyWire
import Testing
@testable import ColonyClient

/// A request's trace context comes from a client and is untrusted: a node reads it only when
/// it is exactly a version-00 traceparent.
@Suite("a traceparent is read only when it is well formed")
struct TraceParentTests {
    static let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test("a version-00 traceparent is read, and its trace id is the 32 hex digits")
    func wellFormed() {
        #expect(TraceParent.isWellFormed(Self.valid))
        #expect(TraceParent.traceID(of: Self.valid) == "0af7651916cd43dd8448eb211c80319c")
        #expect(TraceParent.isWellFormed("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"))
    }

    @Test("anything else is refused without trapping: lengths, versions, case, separators, zero ids, non-ASCII")
    func malformed() {
        let refused = [
            "", "00", Self.valid + "0", String(Self.valid.dropLast()), "ff" + Self.valid.dropFirst(2), "01" + Self.valid.dropFirst(2),
            Self.valid.uppercased(), Self.valid.replacingOccurrences(of: "-", with: "_"),
            "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c8031é-b7ad6b7169203331-01",
            "a request id a client chose for its logs", String(repeating: "0", count: 1 << 16),
        ]
        for text in refused {
            #expect(!TraceParent.isWellFormed(text), "\(text.prefix(60))")
            #expect(TraceParent.traceID(of: text) == nil)
        }
    }

    @Test("the header carrier writes and reads traceparent only, and reads nothing from a malformed trace_id")
    func carrier() {
        var header = Colony_V1_RequestHeader()
        RequestHeaderInjector().inject("vendor=1", forKey: "tracestate", into: &header)
        #expect(header.traceID.isEmpty)
        RequestHeaderInjector().inject(Self.valid, forKey: "traceparent", into: &header)
        #expect(RequestHeaderExtractor().extract(key: "traceparent", from: header) == Self.valid)
        #expect(RequestHeaderExtractor().extract(key: "tracestate", from: header) == nil)
        header.traceID = "checkout-42"
        #expect(RequestHeaderExtractor().extract(key: "traceparent", from: header) == nil)
    }
}
