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
    /// The node records reads node 1 made once `hellos` connections said hello as node 99,
    /// a node the CA certified but no book holds; each connection must be closed.
    func reads(afterHellos hellos: Int, defects: Set<PeerBookDefect>) async throws -> Int {
        var options = ColonyNodeServer.Options()
        // No periodic read, and a gap longer than the test: only the hellos can ask for one.
        options.peerBookRefreshInterval = .seconds(3_600)
        options.peerBookRefreshGapMin = .seconds(3_600)
        options.peerBookDefects = defects
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        try colony.certificates.prepareDevelopment(nodes: [99])
        let stranger = colony.certificates.files(for: .node(NodeID(99)))
        let hello = PeerFrame.hello(colony: "test", node: NodeID(99)).encoded()
        let server = try #require(colony.servers[1])
        for _ in 0..<hellos {
            let outcome = try await TLSProbe.send(hello, to: colony.configs[0].own.peerAddress, presenting: stranger, trusting: stranger.ca)
            #expect(outcome == .closedByNode, "node 1 kept a connection from node 99, which its book does not hold")
        }
        let line = String(decoding: server.metrics.render(), as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("colony_peer_book_reads_total{outcome=\"ok\"}") }
        let reads = line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? -1
        #expect(server.peers.current.peers == [NodeID(2), NodeID(3)])
        await colony.shutdown()
        return reads
    }

    @Test("20 hellos from an unknown node cost at most the read at start and one more", .timeLimit(.minutes(1)))
    func bounded() async throws {
        let reads = try await reads(afterHellos: 20, defects: [])
        #expect((1...2).contains(reads), "\(reads) reads of the node records")
    }

    @Test("with the bound switched off, the same hellos cost a read each", .timeLimit(.minutes(1)))
    func unboundedDefect() async throws {
        let reads = try await reads(afterHellos: 20, defects: [.readsUnbounded])
        #expect(reads > 2, "only \(reads) reads of the node records without the bound")
    }
}
