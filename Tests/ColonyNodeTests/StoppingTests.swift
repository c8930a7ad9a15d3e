@testable import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Synchronization
import Testing
@testable import ColonyNode
@testable import colony

/// How a node goes: a stop for a failure says the failure while it stops; a polite stop lets
/// the process exit as soon as its leaderships are handed off, even with clients connected.
@Suite("a stopping node says why, and a stopped one exits promptly", .serialized, .colonyTurn)
struct StoppingTests {
    @Test("while a node stops for a failure (a full disk), /health names the failure", .timeLimit(.minutes(1)))
    func healthNamesTheFailure() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")
        let leader = try await client.cellInfo("orders").leader
        await client.close()
        let server = try #require(colony.servers[leader])
        let admin = try #require(colony.configs[Int(leader) - 1].own.adminAddress)
        let failure = "the write-ahead log failed: write to wal-0000000000000001.seg: No space left on device; stopping, since nothing more can be made durable"
        // The node is looked at while it stops: its client streams drained, its ports open.
        let seen = Mutex<(status: Int, body: String)?>(nil)
        await server.stop(failure: failure) {
            let health = try? await HTTPProbe.get("/health", from: admin)
            seen.withLock { $0 = health }
        }
        let health = try #require(seen.withLock { $0 })
        #expect(health.status == 503)
        #expect(health.body.contains("No space left on device"), "\(health.body)")
        #expect(await server.waitUntilStopped() == failure)
        await colony.shutdown()
    }

    @Test(
        "a SIGTERMed node process exits promptly after handing off its leaderships, though a client's session is open",
        .timeLimit(.minutes(3)))
    func promptExit() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessColonyTests.executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-exit-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(count: 3, directory: root, executable: ProcessColonyTests.executable.path)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let client = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")
        let leader = try await client.cellInfo("orders").leader
        // The client's session to the leader stays open: the node must not wait for it.
        _ = try await client.put("orders", "k", "again")
        let started = ContinuousClock.now
        await colony.signal(leader, SIGTERM)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(3), "the node took \(took) to exit after SIGTERM")
        #expect(try await client.get("orders", "k")?.text == "again")
        await client.close()
    }
}
