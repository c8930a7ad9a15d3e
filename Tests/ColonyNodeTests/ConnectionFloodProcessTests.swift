import ColonyClient
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode
@testable import colony

/// Node processes under a low open file limit, flooded with idle connections that never
/// start TLS, as an attacker without a certificate would: the node holds what its limits
/// allow, refuses the rest at once, never reaches its open file limit, and keeps answering.
@Suite("a node process flooded with idle connections under a low open file limit", .serialized, .colonyTurn)
struct ConnectionFloodProcessTests {
    /// The open file limit each node runs under.
    static let openFilesMax = 1_024

    /// Open file descriptors of process `pid` (Linux), nil where it cannot be read.
    static func descriptorCount(of pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    @Test(
        "thousands of idle connections from one host, then from many, are refused past the limits while clients are served",
        .timeLimit(.minutes(5)))
    func idleFlood() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ProcessColonyTests.executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-flood-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(
            count: 3, directory: root, executable: ProcessColonyTests.executable.path, openFilesMax: Self.openFilesMax)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let node1 = colony.configs[0].own
        let target = try #require(HostPort(node1.clientAddress))
        let admin = try #require(node1.adminAddress)
        let pid = try #require(colony.processes[1]?.processIdentifier)
        let client = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "before", "flood")
        let perAddress = ColonyNodeServer.Options().clientConnections.connectionsPerAddressMax

        // One host: held to the per-address limit, the rest refused; others still come in.
        let oneHost = IdleConnections()
        try await OwnThread.run { oneHost.open(1_000, to: target, from: ["127.0.0.2"]) }
        try await waitUntil(.seconds(30), "the node to refuse all but \(perAddress) of one host's connections") {
            oneHost.census().open == perAddress
        }
        let fresh = try ColonyClient(nodes: [node1.clientAddress], tls: colony.clientTLS)
        #expect(try await fresh.get("orders", "before")?.text == "flood")
        await fresh.close()

        // Many hosts: held to the client port's share of what the open file limit leaves.
        let manyHosts = IdleConnections()
        try await OwnThread.run { manyHosts.open(1_500, to: target, from: (3...20).map { "127.0.0.\($0)" }) }
        try await waitUntil(.seconds(30), "the node to refuse connections past its open file limit") {
            try await ConnectionLimitTests.metric(#"colony_connections_refused_total{port="client",reason="descriptor_limit"}"#, at: admin) > 0
        }
        let held = oneHost.census().open + manyHosts.census().open
        #expect(held > perAddress && held < Self.openFilesMax - ColonyNodeServer.Options().descriptorsReservedCount, "\(held) held")
        if let descriptors = Self.descriptorCount(of: pid) {
            #expect(descriptors < Self.openFilesMax - 100, "the node holds \(descriptors) of its \(Self.openFilesMax) descriptors")
        }
        // The connected client, peers and the admin endpoint go on.
        _ = try await client.put("orders", "during", "flood")
        #expect(try await client.get("orders", "during")?.text == "flood")
        #expect(try await HTTPProbe.get("/health", from: admin).status == 200)

        oneHost.closeAll()
        manyHosts.closeAll()
        let after = try ColonyClient(nodes: [node1.clientAddress], tls: colony.clientTLS)
        #expect(try await after.get("orders", "during")?.text == "flood")
        #expect(colony.processes[1]?.isRunning == true)
        await after.close()
        await client.close()
    }
}
