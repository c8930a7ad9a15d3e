import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("nodes of a colony over real sockets and real disks", .serialized, .colonyTurn)
struct ColonyNodeTests {
    func put(_ key: String, _ value: String, client: UInt64, sequence: UInt64) -> ClientRequest {
        ClientRequest(
            id: RequestID(client: ClientID(client), sequence: sequence), cell: CellID("orders"),
            operation: .put(Key(key), Array(value.utf8)), opensSession: sequence == 1)
    }

    func get(_ key: String, client: UInt64, sequence: UInt64) -> ClientRequest {
        ClientRequest(id: RequestID(client: ClientID(client), sequence: sequence), cell: CellID("orders"), operation: .get(Key(key)))
    }

    func value(_ outcome: ClientOutcome) -> String? {
        guard case .completed(.success(.value(let item))) = outcome, let item else { return nil }
        return String(decoding: item.value, as: UTF8.self)
    }

    @Test("three nodes create a cell, agree on a write, and read it back from a restarted node")
    func writeThenRestart() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let written = try await colony.run(put("k", "v1", client: 7, sequence: 1), startingAt: 1)
        guard case .completed(.success(.written)) = written else {
            Issue.record("the write did not complete: \(written)")
            return
        }
        #expect(value(try await colony.run(get("k", client: 7, sequence: 2), startingAt: 2)) == "v1")

        // Every node restarts from its own disk; the cell comes back with the write.
        for node: UInt32 in 1...3 { await colony.stop(node) }
        try await colony.startAll()
        #expect(value(try await colony.run(get("k", client: 7, sequence: 3), startingAt: 3)) == "v1")
        let status = try await #require(colony.servers[3]).status()
        #expect(status.cells.map(\.cell) == [CellID("orders")])
        await colony.shutdown()
    }
}
