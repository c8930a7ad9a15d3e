import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import NIOCore
import Testing
@testable import ColonyNode
@testable import colony

/// Strangers on every port, before they prove anything: idle connections past a port's
/// limits, connections that never finish their handshake, a request trickled in forever.
@Suite("a node keeps its limits on every port before anyone is authenticated", .serialized, .colonyTurn)
struct ConnectionLimitTests {
    static func limits(max: Int, perAddress: Int, handshake: TimeAmount = .seconds(60), idle: TimeAmount = .seconds(60)) -> ConnectionLimits {
        ConnectionLimits(connectionsMax: max, connectionsPerAddressMax: perAddress, handshakeTimeout: handshake, idleTimeout: idle)
    }

    /// A metric's value in `/metrics` of the node at `admin`, 0 if absent.
    static func metric(_ line: String, at admin: String) async throws -> Double {
        let page = try await answer("/metrics", at: admin).body
        let value = page.split(separator: "\n").first { $0.hasPrefix(line + " ") }?.split(separator: " ").last
        return value.flatMap { Double($0) } ?? 0
    }

    /// The admin endpoint's answer to `path`, asked again while the node closes the request
    /// unanswered: with a handshake timeout of half a second, a busy machine may be slower
    /// than that to send a whole request, and the node rightly counts it among the timeouts.
    static func answer(_ path: String, at admin: String) async throws -> (status: Int, body: String) {
        for _ in 1..<10 {
            let answer = try await HTTPProbe.get(path, from: admin)
            if answer.status != 0 { return answer }
        }
        return try await HTTPProbe.get(path, from: admin)
    }

    @Test(
        "idle connections past the client port's limits are closed at once, and the client already connected is served",
        .timeLimit(.minutes(2)))
    func clientPortLimits() async throws {
        var options = ColonyNodeServer.Options()
        options.clientConnections = Self.limits(max: 40, perAddress: 15)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        let node1 = colony.configs[0].own
        let client = try ColonyClient(nodes: [node1.clientAddress], tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "before", "flood")
        let server = try #require(colony.servers[1])
        let ownConnections = server.connections.openCount(on: .client)

        let target = try #require(HostPort(node1.clientAddress))
        let hostile = IdleConnections()
        try await OwnThread.run { hostile.open(60, to: target, from: ["127.0.0.2"]) }
        try await OwnThread.run { hostile.open(120, to: target, from: ["127.0.0.3", "127.0.0.4"]) }
        try await waitUntil(.seconds(10), "the node to close what it refused") { hostile.census().open == 40 - ownConnections }
        #expect(server.connections.openCount(on: .client) == 40)
        #expect(hostile.census().closed == 180 - (40 - ownConnections))

        // The connected client is served while the port is full.
        _ = try await client.put("orders", "during", "flood")
        #expect(try await client.get("orders", "before")?.text == "flood")
        let admin = try #require(node1.adminAddress)
        #expect(try await Self.metric(#"colony_connections_refused_total{port="client",reason="address_limit"}"#, at: admin) == 45)
        #expect(try await Self.metric(#"colony_connections_refused_total{port="client",reason="port_limit"}"#, at: admin) > 0)
        #expect(try await Self.metric(#"colony_connections_open{port="client"}"#, at: admin) == 40)

        // Once the strangers go, new clients come in again.
        hostile.closeAll()
        try await waitUntil(.seconds(10), "the node to count the strangers out") {
            server.connections.openCount(on: .client) == ownConnections
        }
        let later = try ColonyClient(nodes: [node1.clientAddress], tls: colony.clientTLS)
        #expect(try await later.get("orders", "during")?.text == "flood")
        await later.close()
        await client.close()
        await colony.shutdown()
    }

    @Test(
        "a connection that never finishes its handshake is closed on every port: no TLS, no hello, a request never finished",
        .timeLimit(.minutes(2)))
    func handshakeDeadlines() async throws {
        var options = ColonyNodeServer.Options()
        options.clientConnections = Self.limits(max: 100, perAddress: 100, handshake: .milliseconds(500))
        options.peerConnections = Self.limits(max: 100, perAddress: 100, handshake: .milliseconds(500))
        options.adminConnections = Self.limits(max: 100, perAddress: 100, handshake: .milliseconds(500))
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.start(1)
        let own = colony.configs[0].own
        let admin = try #require(own.adminAddress)
        for address in [own.clientAddress, own.peerAddress, admin] {
            let silent = IdleConnections()
            let target = try #require(HostPort(address))
            try await OwnThread.run { silent.open(5, to: target, from: ["127.0.0.2"]) }
            try await waitUntil(.seconds(10), "the node to close silent connections to \(address)") { silent.census().closed == 5 }
        }
        // A slowloris: the request's first lines, and never its end.
        let slow = try await OwnThread.run {
            try PeerGarbageTests.isClosedByNode(after: Array("GET /health HTTP/1.1\r\nhost: x\r\n".utf8), to: admin, seconds: 10)
        }
        #expect(slow, "the admin endpoint held a request that never ended")
        var closed: [String: Double] = [:]
        for port in ["admin", "client", "peer"] {
            closed[port] = try await Self.metric(#"colony_connections_closed_total{port="\#(port)",reason="handshake_timeout"}"#, at: admin)
        }
        // At least the test's own connections: on a machine busy with other tests, another
        // client's handshake may outlast its deadline too and be counted with them.
        let expected: [String: Double] = ["admin": 6, "client": 5, "peer": 5]
        #expect(expected.allSatisfy { (closed[$0.key] ?? 0) >= $0.value }, "\(closed)")
        #expect(try await Self.answer("/health", at: admin).status == 200)
        await colony.shutdown()
    }

    @Test("the admin port holds at most its limit per address, and still answers others", .timeLimit(.minutes(1)))
    func adminPortLimits() async throws {
        var options = ColonyNodeServer.Options()
        options.adminConnections = Self.limits(max: 10, perAddress: 4)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.start(1)
        let admin = try #require(colony.configs[0].own.adminAddress)
        let hostile = IdleConnections()
        let target = try #require(HostPort(admin))
        try await OwnThread.run { hostile.open(20, to: target, from: ["127.0.0.2"]) }
        try await waitUntil(.seconds(10), "the node to close what it refused") { hostile.census().closed == 16 }
        #expect(try await Self.answer("/health", at: admin).status == 200)
        #expect(try await Self.metric(#"colony_connections_refused_total{port="admin",reason="address_limit"}"#, at: admin) == 16)
        hostile.closeAll()
        await colony.shutdown()
    }
}
