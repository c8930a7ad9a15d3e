import ColonyClient
import ColonyTestSupport
import Testing
@testable import ColonyNode

/// A node binds its listeners where its `listen` section says and is reached where `nodes`
/// advertises it, as behind NAT or a container's port mapping.
@Suite("nodes that listen on one address and are reached at another", .serialized, .colonyTurn)
struct ListenAddressTests {
    @Test(
        "three nodes listening apart, reached through port mappings, elect, create a cell and serve it at their advertised addresses",
        .timeLimit(.minutes(2)))
    func reachedThroughMappings() async throws {
        let colony = try LocalColony(nodes: 3, listenApart: true)
        // The mappings hold the advertised ports: a node that bound one would fail to start.
        var forwarders: [PortForwarder] = []
        for forward in colony.forwards {
            forwarders.append(try await PortForwarder.start(from: forward.from, to: forward.to))
        }
        do {
            try await colony.startAll()
            let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
            _ = try await client.createCell("mapped", nodes: [1, 2, 3])
            try await client.put("mapped", "k", "v")
            #expect(try await client.get("mapped", "k")?.text == "v")
            #expect(colony.configs.allSatisfy { $0.peerListenAddress != $0.own.peerAddress && $0.clientListenAddress != $0.own.clientAddress })
        } catch {
            Issue.record("\(error)")
        }
        await colony.shutdown()
        for forwarder in forwarders { await forwarder.stop() }
    }
}
