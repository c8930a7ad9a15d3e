import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("a node's admin endpoint and its polite stop", .serialized, .colonyTurn)
struct AdminEndpointTests {
    @Test("/metrics, /health and /status tell what the node did; anything else gets a clear refusal")
    func adminPages() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let put = ClientRequest(
            id: RequestID(client: ClientID(7), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), Array("v".utf8)),
            opensSession: true)
        let written = try await colony.run(put, startingAt: 1)
        #expect(written == .completed(.success(.written(version: 1))))
        let status = try await #require(colony.servers[1]).status()
        let leader = try #require(status.cells.first?.leaderHint)
        let admin = try #require(colony.configs[Int(leader.rawValue) - 1].own.adminAddress)

        let metrics = try await HTTPProbe.get("/metrics", from: admin)
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"colony_requests_total{operation="put",outcome="ok"}"#))
        #expect(metrics.body.contains("colony_wal_fsyncs_total"))
        #expect(metrics.body.contains("colony_wal_flush_seconds_bucket"))
        #expect(metrics.body.contains("colony_leaders 1.0"))
        #expect(metrics.body.contains("colony_replicas 1.0"))

        let health = try await HTTPProbe.get("/health", from: admin)
        #expect(health.status == 200 && health.body == "serving\n")
        let page = try await HTTPProbe.get("/status", from: admin)
        #expect(page.status == 200)
        #expect(page.body.contains("orders: LEADER"))

        #expect(try await HTTPProbe.get("/nothing", from: admin).status == 404)
        #expect(try await HTTPProbe.get("/metrics", from: admin, method: "DELETE").status == 405)
        // Bytes that are not HTTP get the connection closed; the endpoint keeps serving.
        _ = try await HTTPProbe.send("\u{0}\u{1}garbage\r\n\r\n", to: admin)
        #expect(try await HTTPProbe.get("/health", from: admin).status == 200)
        await colony.shutdown()
    }

    @Test("every metric has a HELP line; the leader reports its build, elections, fsyncs alone, peer traffic and its replicas' census")
    func metricsForOperators() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let put = ClientRequest(
            id: RequestID(client: ClientID(7), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), Array("v".utf8)),
            opensSession: true)
        #expect(try await colony.run(put, startingAt: 1) == .completed(.success(.written(version: 1))))
        let first = try #require(colony.servers[1])
        let leader = try #require(try await first.status().cells.first?.leaderHint)
        let admin = try #require(colony.configs[Int(leader.rawValue) - 1].own.adminAddress)
        let peers = [NodeID(1), NodeID(2), NodeID(3)].filter { $0 != leader }
        // The write needed one member's answer; the other's may still be on its way.
        var samples = MetricSamples("")
        try await waitUntil(.seconds(10), "the leader to count messages from both members") {
            samples = MetricSamples(try await HTTPProbe.get("/metrics", from: admin).body)
            return peers.allSatisfy { (samples.value(#"colony_peer_messages_received_total{peer="\#($0.rawValue)"}"#) ?? 0) > 0 }
        }

        #expect(!samples.families.isEmpty)
        #expect(samples.familiesWithoutHelp.isEmpty, "metrics without a HELP line: \(samples.familiesWithoutHelp)")
        let build = NodeBuild.facts.map { #"\#($0.name)="\#($0.value)""# }.joined(separator: ",")
        #expect(samples.value("colony_build_info{\(build)}") == 1, "\(samples.values.keys.filter { $0.hasPrefix("colony_build_info") })")
        #expect((samples.value("colony_elections_total") ?? 0) >= 1)
        #expect((samples.value("colony_wal_fsync_seconds_count") ?? 0) >= 1)
        #expect(samples.value("colony_leaders") == 1)
        #expect(samples.value("colony_replicas_without_leader") == 0)
        #expect(samples.value("colony_damaged_replicas") == 0)
        #expect(samples.value("colony_active_replicas") != nil && samples.value("colony_resting_replicas") != nil)
        #expect(samples.value("colony_lagging_replicas") != nil && samples.value("colony_replica_lag_slots_max") != nil)
        for peer in peers {
            let label = #"{peer="\#(peer.rawValue)"}"#
            for name in ["colony_peer_frames_sent_total", "colony_peer_messages_sent_total", "colony_peer_bytes_sent_total",
                         "colony_peer_frames_received_total", "colony_peer_messages_received_total", "colony_peer_bytes_received_total"] {
                #expect((samples.value(name + label) ?? 0) > 0, "\(name)\(label)")
            }
            #expect(samples.value("colony_peer_connected" + label) == 1)
            #if os(Linux)
            #expect((samples.value("colony_peer_round_trip_seconds" + label) ?? 0) > 0)
            #endif
        }
        await colony.shutdown()
    }

    @Test("/status answers one JSON object with ?format=json or Accept: application/json")
    func statusAsJSON() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let put = ClientRequest(
            id: RequestID(client: ClientID(7), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), Array("v".utf8)),
            opensSession: true)
        _ = try await colony.run(put, startingAt: 1)
        let admin = try #require(colony.configs[0].own.adminAddress)
        let asked = try await HTTPProbe.get("/status?format=json", from: admin)
        #expect(asked.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(asked.body.utf8)) as? [String: Any])
        #expect(document["node"] as? Int == 1)
        #expect(document["replicas"] as? Int == 1)
        let cells = try #require(document["cells"] as? [[String: Any]])
        #expect(cells.first?["cell"] as? String == "orders")
        #expect(cells.first?["members"] as? [Int] == [1, 2, 3])
        #expect(cells.first?["lag_slots"] is Int && cells.first?["applied_through"] is Int)

        let negotiated = try await HTTPProbe.send("GET /status HTTP/1.1\r\nhost: x\r\naccept: application/json\r\n\r\n", to: admin)
        #expect(negotiated.lowercased().contains("content-type: application/json"))
        #expect(try await HTTPProbe.get("/status", from: admin).body.hasPrefix("node n1:"))
        await colony.shutdown()
    }

    @Test("a stopping node hands every cell it leads to another member before it goes")
    func stopHandsOffLeadership() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let cells = (0..<6).map { CellID("cell-\($0)") }
        for cell in cells {
            try colony.servers[1]?.createCell(cell, members: [NodeID(1), NodeID(2), NodeID(3)])
        }
        for (index, cell) in cells.enumerated() {
            let put = ClientRequest(
                id: RequestID(client: ClientID(9), sequence: UInt64(index + 1)), cell: cell, operation: .put(Key("k"), [1]),
                opensSession: index == 0)
            _ = try await colony.run(put, startingAt: 1)
        }
        // Whichever node leads the most cells stops; every one of them must have moved on.
        var mostLed = (node: UInt32(1), count: -1)
        for node: UInt32 in 1...3 {
            let led = try await #require(colony.servers[node]).status().cells.filter(\.isLeader).count
            if led > mostLed.count { mostLed = (node, led) }
        }
        #expect(mostLed.count > 0)
        let stopping = try #require(colony.servers[mostLed.node])
        await colony.stop(mostLed.node)
        #expect(stopping.cellsLedWhenStopped == 0, "cells still led by the stopped node: \(stopping.cellsLedWhenStopped ?? -1)")
        await colony.shutdown()
    }
}

/// The samples of a Prometheus text page, by series (name and labels as printed), and which
/// metric families it declares with and without a HELP line.
struct MetricSamples {
    private(set) var values: [String: Double] = [:]
    private(set) var families: Set<String> = []
    private var described: Set<String> = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# TYPE "), words.count >= 3 {
                families.insert(String(words[2]))
            } else if line.hasPrefix("# HELP "), words.count >= 4 {
                described.insert(String(words[2]))
            } else if !line.hasPrefix("#"), let last = words.last, let value = Double(last) {
                values[words.dropLast().joined(separator: " ")] = value
            }
        }
    }

    /// The metric families declared without a HELP line.
    var familiesWithoutHelp: Set<String> { families.subtracting(described) }

    /// The value of `series` (its name and labels as the page prints them), if present.
    func value(_ series: String) -> Double? { values[series] }
}
