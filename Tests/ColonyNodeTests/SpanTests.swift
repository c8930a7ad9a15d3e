import Testing
@testable import colony

@Suite("lengths of time on the command line")
struct SpanTests {
    @Test("units ms, s, m and h are read, a bare number is seconds, anything else is refused")
    func parsing() {
        #expect(Span(argument: "30s")?.milliseconds == 30_000)
        #expect(Span(argument: "500ms")?.milliseconds == 500)
        #expect(Span(argument: "2m")?.milliseconds == 120_000)
        #expect(Span(argument: "1h")?.milliseconds == 3_600_000)
        #expect(Span(argument: "1.5")?.milliseconds == 1_500)
        for bad in ["", "s", "30x", "-1s", "ms30", "nan", "1e300h"] {
            #expect(Span(argument: bad) == nil, "\(bad) was read")
        }
    }
}
