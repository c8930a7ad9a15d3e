import ColonyControl
import ColonyCore
import ColonyTestSupport
import ColonyWire
import Foundation
import Testing
@_spi(Testing) @testable import ColonyNode
@testable import colony

/// A peer that says hello under a valid node certificate for an id the node does not know
/// is refused and makes the node read the directory's node records again, at a bounded rate:
/// a flood of such hellos costs one read per `peerBookRefreshGapMin`, not one each.
@Suite("hellos from unknown node ids are refused and read the directory at a bounded rate", .serialized, .colonyTurn)
struct PeerBookRefreshTests {
    /// Three nodes that read the directory only when a hello asks them to (no periodic read,
    /// and a gap between reads longer than the test), with `defects`.
    func colony(defects: Set<PeerBookDefect>) async throws -> LocalColony {
        var options = ColonyNodeServer.Options()
        options.peerBookRefreshInterval = .seconds(3_600)
        options.peerBookRefreshGapMin = .seconds(3_600)
        options.peerBookDefects = defects
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        try colony.certificates.prepareDevelopment(nodes: [99])
        return colony
    }

    /// Says hello to node 1 as node 99, a node the CA certified but no book holds; the
    /// connection must be closed.
    func helloAsStranger(_ colony: LocalColony) async throws {
        let stranger = colony.certificates.files(for: .node(NodeID(99)))
        let hello = PeerFrame.hello(colony: "test", node: NodeID(99), reads: 1...1).encoded()
        let outcome = try await TLSProbe.send(hello, to: colony.configs[0].own.peerAddress, presenting: stranger, trusting: stranger.ca)
        #expect(outcome == .closedByNode, "node 1 kept a connection from node 99, which its book does not hold")
    }

    /// The reads of the node records `server` finished, whatever their outcome.
    func reads(_ server: ColonyNodeServer) -> Int {
        String(decoding: server.metrics.render(), as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("colony_peer_book_reads_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    @Test("20 hellos from an unknown node cost at most one read beyond the one at start", .timeLimit(.minutes(1)))
    func bounded() async throws {
        let colony = try await colony(defects: [])
        let server = try #require(colony.servers[1])
        try await waitUntil(.seconds(20), "node 1 reads the directory once at start") { reads(server) >= 1 }
        for _ in 0..<20 { try await helloAsStranger(colony) }
        #expect(reads(server) <= 2, "\(reads(server)) reads of the node records")
        #expect(server.peers.current.peers == [NodeID(2), NodeID(3)])
        await colony.shutdown()
    }

    @Test("with the bound switched off, every hello from an unknown node costs a read", .timeLimit(.minutes(1)))
    func unboundedDefect() async throws {
        let colony = try await colony(defects: [.readsUnbounded])
        let server = try #require(colony.servers[1])
        try await waitUntil(.seconds(20), "node 1 reads the directory once at start") { reads(server) >= 1 }
        for hello in 1...5 {
            try await helloAsStranger(colony)
            try await waitUntil(.seconds(20), "hello \(hello) makes node 1 read the directory") { reads(server) >= 1 + hello }
        }
        await colony.shutdown()
    }
}

/// A node's book kept on disk stands in for the directory while it is unreachable.
@Suite("a node started with the directory unreachable dials the peers its book file kept", .serialized, .colonyTurn)
struct PeerBookStaticStabilityTests {
    @Test(
        "node 1's file lists only nodes 1 and 2, its kept book node 3: a cell it creates on 1, 2 and 3 reaches node 3 and serves",
        .timeLimit(.minutes(1)))
    func keptBookDials() async throws {
        let colony = try LocalColony(nodes: 3)
        let third = colony.configs[0].nodes[2]
        colony.configs[0].nodes.removeLast()
        let dataDirectory = colony.configs[0].dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try PeerBookFile(directory: dataDirectory).save([
            NodeRecord(id: third.node, peerAddress: third.peerAddress, clientAddress: third.clientAddress, zone: "default", rack: "rack-3")
        ])
        // No directory cell exists: every read of it fails, and the kept book is all node 1 has.
        try await colony.startAll()
        let first = try #require(colony.servers[1])
        #expect(first.peers.current.peers == [NodeID(2), NodeID(3)])
        try first.createCell(CellID("kept"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let write = ClientRequest(id: RequestID(client: ClientID(7), sequence: 1), cell: CellID("kept"), operation: .put(Key("k"), [1]))
        let outcome = try await colony.run(write, startingAt: 1)
        guard case .completed(.success(.written)) = outcome else {
            Issue.record("the cell did not take a write: \(outcome)")
            await colony.shutdown()
            return
        }
        try await waitUntil(.seconds(20), "node 3 applies the write to its replica of the cell node 1 created") {
            try await colony.servers[3]?.status().cells.first { $0.cell == CellID("kept") }?.keyCount == 1
        }
        await colony.shutdown()
    }
}
