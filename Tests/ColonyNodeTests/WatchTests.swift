import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("watching a cell's changes over gRPC", .serialized, .colonyTurn)
struct WatchTests {
    func clientAddresses(_ colony: LocalColony) -> [String] {
        colony.configs.map(\.own.clientAddress)
    }

    /// The node whose driver serves a watch now.
    func servingNode(_ colony: LocalColony) async throws -> UInt32? {
        for (node, server) in colony.servers.sorted(by: { $0.key < $1.key }) where try await server.status().watches > 0 {
            return node
        }
        return nil
    }

    @Test(
        "a watch survives its serving node stopping and starting: the watcher sees exactly revisions 1 to N in order, with their values",
        .timeLimit(.minutes(3)))
    func resumesAcrossARestart() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let writer = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await writer.createCell("feed", nodes: [1, 2, 3])
        let watcher = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        let writes: UInt64 = 150
        let watch = watcher.watch("feed")
        let collector = Task { try await collect(watch, through: writes) }

        var written: [UInt64: ColonyKeyChange] = [:]
        var stopped: UInt32?
        for index in UInt64(1)...writes {
            let key = "k\(index % 7)"
            let value = "value-\(index)"
            let version = try await writer.put("feed", key, value)
            written[version] = ColonyKeyChange(key: key, value: Array(value.utf8))
            if index == writes / 3 {
                try await waitUntil(.seconds(20), "a node to serve the watch") { try await servingNode(colony) != nil }
                let serving = try #require(try await servingNode(colony))
                await colony.stop(serving)
                stopped = serving
            }
            if index == 2 * writes / 3, let node = stopped {
                try await colony.start(node)
            }
        }
        let seen = try await within(.seconds(60), "the watcher to see every write") { try await collector.value }
        #expect(seen.map(\.revision) == Array(1...writes))
        #expect(Set(written.keys) == Set(1...writes), "every write made exactly one revision")
        for change in seen {
            #expect(change.keys == [written[change.revision]].compactMap { $0 }, "revision \(change.revision)")
        }
        await writer.close()
        await watcher.close()
        await colony.shutdown()
    }

    @Test("a list's revision starts a watch with no gap and no repeat; a prefix keeps only its keys", .timeLimit(.minutes(2)))
    func listThenWatch() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        for index in 1...5 {
            try await client.put("orders", "a/\(index)", "\(index)")
        }
        let listed = try await client.list("orders", prefix: "a/")
        #expect(listed.items.count == 5)
        #expect(listed.revision == 5)
        let watch = client.watch("orders", prefix: "b/", after: listed.revision)
        let collector = Task { try await collect(watch, through: 10) }
        try await client.put("orders", "a/6", "6")
        try await client.put("orders", "b/1", "x")
        try await client.delete("orders", "a/1")
        let transaction = try TransactionDocument.parse(Data(#"{"success": [{"put": "b/2", "value": "y"}, {"put": "a/7", "value": "z"}]}"#.utf8))
        _ = try await client.transaction("orders", transaction)
        try await client.delete("orders", "b/1")
        let seen = try await within(.seconds(30), "the prefix watch") { try await collector.value }
        #expect(seen == [
            ColonyChange(revision: 7, keys: [ColonyKeyChange(key: "b/1", value: Array("x".utf8))]),
            ColonyChange(revision: 9, keys: [ColonyKeyChange(key: "b/2", value: Array("y".utf8))]),
            ColonyChange(revision: 10, keys: [ColonyKeyChange(key: "b/1", value: nil)]),
        ])
        await client.close()
        await colony.shutdown()
    }

    @Test("a watch from a revision no member keeps any more ends with compacted, naming where the kept changes start", .timeLimit(.minutes(2)))
    func compacted() async throws {
        var options = ColonyNodeServer.Options()
        options.replica.changesKeptMax = 5
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("busy", nodes: [1, 2, 3])
        for index in 1...20 {
            try await client.put("busy", "k", "\(index)")
        }
        // Every replica has applied all 20 once a stale read everywhere sees the last one.
        try await waitUntil(.seconds(20), "every replica to apply the writes") {
            for server in colony.servers.values where try await server.status().cells.first?.revision != 20 { return false }
            return true
        }
        let error = try await within(.seconds(30), "the compacted watch to end") { () -> ColonyError? in
            do {
                _ = try await collect(client.watch("busy", after: 3), through: 20)
                return nil
            } catch let error as ColonyError {
                return error
            }
        }
        guard case .compacted(let through, let message)? = error else {
            Issue.record("the watch ended with \(String(describing: error)), not compacted")
            return
        }
        #expect(through == 15)
        #expect(message.contains("after revision 15"))
        let fromKept = try await within(.seconds(30), "a watch from a kept revision") { try await collect(client.watch("busy", after: 15), through: 20) }
        #expect(fromKept.map(\.revision) == [16, 17, 18, 19, 20])
        await client.close()
        await colony.shutdown()
    }

    @Test("a stopping node ends its watches at once instead of waiting for them", .timeLimit(.minutes(2)))
    func stopEndsWatches() async throws {
        var options = ColonyNodeServer.Options()
        options.clientDrainTimeout = .seconds(120)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("quiet", nodes: [1, 2, 3])
        let watch = client.watch("quiet")
        let collector = Task { try await collect(watch, through: 1) }
        try await waitUntil(.seconds(20), "a node to serve the watch") { try await servingNode(colony) != nil }
        let serving = try #require(try await servingNode(colony))
        // Without ending its watches, the node would wait the whole drain timeout (120 s).
        try await within(.seconds(30), "node \(serving) to stop with a watch open") { await colony.stop(serving) }
        try await client.put("quiet", "k", "v")
        let seen = try await within(.seconds(30), "the watch to resume elsewhere") { try await collector.value }
        #expect(seen.map(\.revision) == [1])
        await client.close()
        await colony.shutdown()
    }
}
