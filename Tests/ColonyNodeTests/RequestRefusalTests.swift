import ColonyAPI
@testable import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import colony
@testable import ColonyNode

/// Requests a node refuses at once with an error that says why, instead of retrying for ever
/// or resetting the stream; and a client that may not take all of a node's watches.
@Suite("absurd requests get a clear error at once", .serialized, .colonyTurn)
struct RequestRefusalTests {
    /// A raw gRPC client of `colony`'s node 1, with the development client certificate (or
    /// `tls`); `body` uses it, then it closes.
    static func withRawClient<Value: Sendable>(
        _ colony: LocalColony, tls: ClientTLS? = nil,
        _ body: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>) async throws -> Value
    ) async throws -> Value {
        let port = try #require(HostPort(colony.configs[0].own.clientAddress)).port
        let grpc = GRPCClient(transport: try .http2NIOPosix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: (tls ?? colony.clientTLS).transportSecurity()))
        let running = Task { try await grpc.runConnections() }
        defer {
            grpc.beginGracefulShutdown()
            running.cancel()
        }
        return try await body(Colony_V1_Colony.Client(wrapping: grpc))
    }

    @Test("a request expecting an epoch far ahead of its cell is refused as invalid, not left to retry for ever", .timeLimit(.minutes(1)))
    func absurdEpoch() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")
        let reply = try await Self.withRawClient(colony) { raw in
            var get = Colony_V1_GetRequest()
            get.header.cell = "orders"
            get.header.clientID = 41
            get.header.sequence = 1
            get.header.expectedEpoch = UInt64.max
            get.key = "k"
            get.consistency = .stale
            return try await Colony_V1_GetReply.inBand { [get] in try await raw.get(get) }
        }
        #expect(reply.error.code == .invalidArgument, "\(reply.error)")
        #expect(reply.error.message.hasPrefix("expected_epoch 18446744073709551615 is "), "\(reply.error.message)")
        #expect(reply.error.message.contains("of cell orders on node 1"), "\(reply.error.message)")
        await client.close()
        await colony.shutdown()
    }

    @Test("a value larger than any cell takes gets VALUE_TOO_LARGE, and the client's session goes on", .timeLimit(.minutes(1)))
    func valueTooLarge() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        var patient = ColonyClient.Policy()
        // 20 MiB through TLS and a debug build take a while on a busy machine.
        patient.deadline = .seconds(60)
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS, policy: patient)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")
        do {
            _ = try await client.put("orders", "huge", [UInt8](repeating: 7, count: 20 * 1024 * 1024))
            Issue.record("a 20 MiB value was stored")
        } catch ColonyError.valueTooLarge(let message) {
            #expect(message.contains("20971520 bytes, and no cell takes values over 1048576 bytes"), "\(message)")
        }
        #expect(try await client.get("orders", "k")?.text == "v")
        await client.close()
        await colony.shutdown()
    }

    @Test("one client cannot take every watch slot of a node; another client still watches there", .timeLimit(.minutes(2)))
    func watchesPerClient() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("feed", nodes: [1, 2, 3])
        _ = try await client.put("feed", "k", "v")
        let perClient = ColonyNodeServer.Options().watchesPerClientMax
        let server = try #require(colony.servers[1])
        var request = Colony_V1_WatchRequest()
        request.cell = "feed"
        request.afterRevision = 1
        let watch = request
        let node2 = colony.certificates.files(for: .node(NodeID(2)))
        let (sameClient, otherClient) = try await Self.withRawClient(colony) { raw in
            try await withThrowingTaskGroup(of: Void.self) { holders in
                for _ in 0..<perClient {
                    holders.addTask { try await raw.watch(watch) { response in for try await _ in response.messages {} } }
                }
                try await waitUntil(.seconds(30), "\(perClient) watches to open") { try await server.status().watches == perClient }
                let refused = try await within(.seconds(20), "one watch more than the client's limit to be answered") {
                    await GRPCStatusTests.status { try await raw.watch(watch) { response in for try await _ in response.messages {} } }
                }
                let other = try await Self.withRawClient(colony, tls: .files(ca: node2.ca, certificate: node2.certificate, key: node2.key)) { other in
                    try await withThrowingTaskGroup(of: Void.self) { watcher in
                        watcher.addTask { try await other.watch(watch) { response in for try await _ in response.messages {} } }
                        try await waitUntil(.seconds(10), "another client's watch to open") {
                            try await server.status().watches == perClient + 1
                        }
                        watcher.cancelAll()
                    }
                    return true
                }
                holders.cancelAll()
                return (refused, other)
            }
        }
        let status = try #require(sameClient)
        #expect(status.code == .unavailable, "\(status)")
        let error = try #require(Colony_V1_Error(carriedBy: status))
        #expect(error.code == .unavailable)
        #expect(error.message.contains("serves its limit of \(perClient) watches for one client, and client \"dev\" has that many open here"), "\(error.message)")
        #expect(otherClient)
        await client.close()
        await colony.shutdown()
    }
}
