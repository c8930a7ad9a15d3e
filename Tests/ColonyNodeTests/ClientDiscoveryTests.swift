import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("the smart client finds each cell's leader", .serialized, .colonyTurn)
struct ClientDiscoveryTests {
    @Test("a replica's hint to its leader is followed without spending the retry budget", .timeLimit(.minutes(2)))
    func hintsAreFree() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let admin = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await admin.createCell("hinted", nodes: [1, 2, 3])
        try await admin.put("hinted", "k", "v1")
        let leader = try await admin.cellInfo("hinted").leader
        await admin.close()

        // A client that may not retry at all, knowing only a node that does not lead.
        let follower = try #require(colony.configs.first { $0.node != leader })
        var policy = ColonyClient.Policy()
        policy.retryBudget = 0
        let client = try ColonyClient(nodes: [follower.own.clientAddress], tls: colony.clientTLS, policy: policy)
        try await client.put("hinted", "k", "v2")
        #expect(try await client.get("hinted", "k")?.text == "v2")
        await client.close()
        await colony.shutdown()
    }
}
