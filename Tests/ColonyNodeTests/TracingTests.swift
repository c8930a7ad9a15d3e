import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import ColonyNode
@testable import colony

/// Tracing end to end: a client and three nodes in this process, each with its own
/// OpenTelemetry tracer (nothing process-global is bootstrapped, so other suites in the
/// process are untouched), exporting over OTLP/gRPC to a receiver on a loopback port.
@Suite("a traced write is one trace across the client, its cell's leader and followers", .serialized, .colonyTurn)
struct TracingTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test("a put is one trace: the client's span, the leader's server span, its proposal and log flush, a follower's accept and log flush",
          .timeLimit(.minutes(2)))
    func onePutOneTrace() async throws {
        // The nodes start no trace of their own (ratio 0): only the client's sampled trace is seen.
        let spans = try await Self.spans(nodeSamplingRatio: 0, clientTraced: true) { client in
            try await client.put("traced", "greeting", "hello")
        }
        // The spans as text, for the message of any expectation that fails.
        let trace = TraceText.render(spans)
        #expect(Set(spans.map(\.traceID)).count == 1, "spans of more than one trace:\n\(trace)")
        let put = try #require(spans.first { $0.name == "colony.put" }, "no client span:\n\(trace)")
        #expect(put.service == "colony-client" && put.parentSpanID.isEmpty)
        let requests = spans.filter { $0.name == "colony.node.Put" }
        #expect(!requests.isEmpty && requests.allSatisfy { $0.parentSpanID == put.spanID && $0.service == "colony-node" })
        let proposal = try #require(spans.first { $0.name == "colony.propose" }, "no proposal:\n\(trace)")
        let leader = try #require(requests.first { $0.spanID == proposal.parentSpanID }, "the proposal is under no request span:\n\(trace)")
        #expect(proposal.attributes["colony.cell"] == "traced")
        let flush = try #require(spans.first { $0.name == "colony.wal.flush" && $0.parentSpanID == proposal.spanID }, "no log flush:\n\(trace)")
        #expect(flush.attributes["colony.node"] == leader.attributes["colony.node"])
        // A majority is the leader and one follower: at least one follower accepted within the trace.
        let accepts = spans.filter { $0.name == "colony.accept" }
        #expect(!accepts.isEmpty, "no follower's accept:\n\(trace)")
        for accept in accepts {
            #expect(accept.parentSpanID == proposal.spanID && accept.attributes["colony.node"] != leader.attributes["colony.node"])
            #expect(accept.startNanoseconds >= proposal.startNanoseconds)
            #expect(spans.contains { $0.name == "colony.wal.flush" && $0.parentSpanID == accept.spanID }, "an accept without its flush:\n\(trace)")
        }
        // Each span lies within its parent.
        for (inner, outer) in [(leader, put), (proposal, leader), (flush, proposal)] {
            #expect(inner.startNanoseconds >= outer.startNanoseconds && inner.endNanoseconds <= outer.endNanoseconds, "\(inner.name) outside \(outer.name)")
        }
    }

    @Test("a node traces requests that come without a trace context at its sampling ratio, each a trace of its own",
          .timeLimit(.minutes(2)))
    func untracedClientSampledAtTheNode() async throws {
        let spans = try await Self.spans(nodeSamplingRatio: 1, clientTraced: false) { client in
            try await client.put("traced", "greeting", "hello")
        }
        // The spans as text, for the message of any expectation that fails.
        let trace = TraceText.render(spans)
        let roots = spans.filter { $0.parentSpanID.isEmpty }
        #expect(!roots.isEmpty && roots.allSatisfy { $0.service == "colony-node" && $0.name.hasPrefix("colony.node.") })
        let proposal = try #require(spans.first { $0.name == "colony.propose" }, "no proposal:\n\(trace)")
        let leader = try #require(roots.first { $0.spanID == proposal.parentSpanID }, "the proposal is under no root request span:\n\(trace)")
        #expect(spans.filter { $0.traceID == leader.traceID }.contains { $0.name == "colony.accept" }, "no follower's accept in the leader's trace:\n\(trace)")
    }

    @Test("a failed operation's spans, the client's and the node's, have error status named by the error", .timeLimit(.minutes(2)))
    func failedOperationSpans() async throws {
        let spans = try await Self.spans(nodeSamplingRatio: 0, clientTraced: true) { client in
            do {
                _ = try await client.compareAndSet("traced", "greeting", expected: .value(Array("not-there".utf8)), value: Array("hi".utf8))
                Issue.record("the compare-and-set applied")
            } catch ColonyError.conditionFailed {
            }
        }
        // The spans as text, for the message of any expectation that fails.
        let trace = TraceText.render(spans)
        let operation = try #require(spans.first { $0.name == "colony.compare_and_set" }, "no client span:\n\(trace)")
        #expect(operation.statusCode == 2 && operation.statusMessage == "conditionFailed", "\(operation)")
        // Every attempt failed, at the leader or before (a node that does not lead says so).
        let requests = spans.filter { $0.name == "colony.node.CompareAndSet" }
        #expect(requests.contains { $0.statusMessage == "conditionFailed" }, "no server span of the leader's answer:\n\(trace)")
        for request in requests {
            #expect(request.statusCode == 2 && request.statusMessage == request.attributes["colony.error"], "\(request)")
        }
    }

    /// The spans a receiver saw while a 3-node colony, its nodes sampling new traces at
    /// `nodeSamplingRatio`, created the cell `traced` and ran `work` with a client (traced
    /// if `clientTraced`); every exporter is stopped, and so has exported, before they are read.
    static func spans(
        nodeSamplingRatio: Double, clientTraced: Bool, _ work: (ColonyClient) async throws -> Void
    ) async throws -> [OTLPReceiver.Span] {
        let receiver = try await OTLPReceiver()
        let colony = try LocalColony(nodes: 3)
        let tracing = NodeTracing(endpoint: receiver.endpoint, samplingRatio: nodeSamplingRatio)
        var exporters: [any Service] = []
        var servers: [ColonyNodeServer] = []
        for config in colony.configs {
            let backend = try TracingBackend.make(
                tracing, serviceName: "colony-node", attributes: ["colony.node": "n\(config.node)"], logger: quiet)
            var options = colony.options
            options.tracer = backend.tracer
            servers.append(try await ColonyNodeServer.start(config: config, options: options, logger: quiet))
            exporters.append(backend.service)
        }
        var policy = ColonyClient.Policy()
        if clientTraced {
            let clientBackend = try TracingBackend.make(NodeTracing(endpoint: receiver.endpoint), serviceName: "colony-client", logger: quiet)
            policy.tracer = clientBackend.tracer
            exporters.append(clientBackend.service)
        }
        let group = ServiceGroup(services: exporters, logger: quiet)
        let exporting = Task { try await group.run() }
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS, policy: policy)
        _ = try await client.createCell("traced", nodes: [1, 2, 3])
        try await work(client)
        await client.close()
        for server in servers { await server.stop() }
        // Stopping the exporters exports every span they still hold.
        await group.triggerGracefulShutdown()
        try await exporting.value
        await receiver.stop()
        await colony.shutdown()
        return receiver.spans
    }
}

/// Traces as indented text: each span under its parent, with its service, node, start
/// (from the trace's first span) and duration.
enum TraceText {
    static func render(_ spans: [OTLPReceiver.Span]) -> String {
        let traces = Dictionary(grouping: spans, by: \.traceID)
        return traces.values.sorted { ($0.map(\.startNanoseconds).min() ?? 0) < ($1.map(\.startNanoseconds).min() ?? 0) }
            .map(renderTrace).joined(separator: "\n")
    }

    private static func renderTrace(_ spans: [OTLPReceiver.Span]) -> String {
        let ids = Set(spans.map(\.spanID))
        let children = Dictionary(grouping: spans) { ids.contains($0.parentSpanID) ? $0.parentSpanID : "" }
        let origin = spans.map(\.startNanoseconds).min() ?? 0
        var lines: [String] = []
        func walk(_ parent: String, depth: Int) {
            for span in (children[parent] ?? []).sorted(by: { $0.startNanoseconds < $1.startNanoseconds }) {
                let node = span.attributes["colony.node"].map { " \($0)" } ?? ""
                let start = Double(span.startNanoseconds &- origin) / 1_000_000
                lines.append(
                    String(repeating: "  ", count: depth)
                        + "\(span.name) [\(span.service)\(node)] +\(String(format: "%.2f", start)) ms, \(String(format: "%.2f", span.milliseconds)) ms")
                walk(span.spanID, depth: depth + 1)
            }
        }
        walk("", depth: 0)
        return "trace \(spans.first?.traceID ?? "none")\n" + lines.joined(separator: "\n")
    }
}
