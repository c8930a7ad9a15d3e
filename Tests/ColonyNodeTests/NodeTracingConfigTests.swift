import Testing
@testable import ColonyNode

/// The `tracing` section of a node's configuration is read as strictly as the rest of it.
@Suite("a node's tracing section names an OTLP/gRPC endpoint and a ratio from 0 to 1")
struct NodeTracingConfigTests {
    @Test("a configuration without tracing loads and traces nothing; an endpoint and ratio load")
    func valid() throws {
        #expect(try NodeConfigTests.refusal(NodeConfigTests.text()) == nil)
        #expect(try NodeConfigTests.refusal(NodeConfigTests.text { $0["tracing"] = ["endpoint": "http://127.0.0.1:4317"] }) == nil)
        let both = try NodeConfigTests.text { $0["tracing"] = ["endpoint": "https://collector.example:4317", "samplingRatio": 0.25] }
        #expect(try NodeConfigTests.refusal(both) == nil)
        #expect(NodeTracing(endpoint: "http://127.0.0.1:4317").effectiveSamplingRatio == 1)
    }

    @Test("a bad endpoint, a ratio out of range and a misspelt key are refused, naming the field")
    func refused() throws {
        let cases: [([String: Any], String)] = [
            (["endpoint": "127.0.0.1:4317"], #""tracing.endpoint" is "127.0.0.1:4317", not an OTLP/gRPC endpoint"#),
            (["endpoint": "grpc://127.0.0.1:4317"], #""tracing.endpoint" is "grpc://127.0.0.1:4317""#),
            (["endpoint": "http://127.0.0.1:4317/v1/traces"], #""tracing.endpoint" is "http://127.0.0.1:4317/v1/traces""#),
            (["endpoint": "http://127.0.0.1:0"], #""tracing.endpoint" is "http://127.0.0.1:0""#),
            (["endpoint": "http://127.0.0.1:4317", "samplingRatio": 1.5], #""tracing.samplingRatio" must be from 0 to 1, not 1.5"#),
            (["endpoint": "http://127.0.0.1:4317", "samplingRatio": -0.1], #""tracing.samplingRatio" must be from 0 to 1"#),
            (["endpoint": "http://127.0.0.1:4317", "sampleRatio": 0.5], #"unknown key "sampleRatio" in tracing; did you mean "samplingRatio"?"#),
        ]
        for (section, expected) in cases {
            let refusal = try NodeConfigTests.refusal(NodeConfigTests.text { $0["tracing"] = section })
            #expect(refusal?.contains(expected) == true, "\(section): \(refusal ?? "loaded")")
        }
        let long = String(repeating: "x", count: 10_000)
        let refusal = try NodeConfigTests.refusal(NodeConfigTests.text { $0["tracing"] = ["endpoint": long] })
        #expect(refusal.map { $0.count < 400 } == true, "a long endpoint is repeated whole: \(refusal?.count ?? 0) characters")
    }
}
