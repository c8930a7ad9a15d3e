import ColonyCore
import Foundation
import Testing
@testable import ColonyNode

@Suite("a node's admin endpoint and its polite stop", .serialized)
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
