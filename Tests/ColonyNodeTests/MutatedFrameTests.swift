import ColonyCore
import ColonyFuzz
import ColonyTestSupport
import ColonyWire
import Testing
@testable import ColonyNode
@testable import colony

/// The fuzzer's peer frames, sent for real: over TLS, with node 2's valid certificate and a
/// valid hello, while the colony serves a load whose every answer is checked.
@Suite("a node under a stream of mutated peer frames keeps serving", .serialized, .colonyTurn)
struct MutatedFrameTests {
    /// Frames sent, one connection each (a node closes a connection at its first bad frame).
    static let frames: UInt64 = 150

    /// Writes keys 1...`count` of cell `orders` one after another as client `client`, each
    /// read back at once; returns what went wrong.
    func checkedLoad(_ colony: LocalColony, client: UInt64, count: Int) async throws -> [String] {
        var wrong: [String] = []
        for index in 1...count {
            let key = Key("k\(index)")
            let write = ClientRequest(
                id: RequestID(client: ClientID(client), sequence: UInt64(2 * index - 1)), cell: CellID("orders"),
                operation: .put(key, [UInt8(truncatingIfNeeded: index)]))
            let read = ClientRequest(
                id: RequestID(client: ClientID(client), sequence: UInt64(2 * index)), cell: CellID("orders"), operation: .get(key))
            guard case .completed(.success(.written)) = try await colony.run(write, startingAt: UInt32(1 + index % 3)) else {
                wrong.append("write \(index) failed")
                continue
            }
            guard case .completed(.success(.value(let item?))) = try await colony.run(read, startingAt: UInt32(1 + index % 3)),
                  item.value == [UInt8(truncatingIfNeeded: index)]
            else {
                wrong.append("read \(index) did not return the value written")
                continue
            }
        }
        return wrong
    }

    @Test("seeded mutations of real peer frames, each after a valid hello from node 2, leave the colony serving a checked load",
          .timeLimit(.minutes(3)))
    func mutatedFramesUnderLoad() async throws {
        var options = ColonyNodeServer.Options()
        options.peerConnections.handshakeTimeout = .milliseconds(300)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let target = try #require(FuzzTargets.make(["peer-frame"])?.first)
        let port = colony.configs[0].own.peerAddress
        let node2 = colony.certificates.files(for: .node(NodeID(2)))
        let hello = PeerFrame.hello(colony: "test", node: NodeID(2), reads: 1...1).encoded()
        async let load = checkedLoad(colony, client: 77, count: 40)
        for index in 0..<Self.frames {
            // A frame the node takes leaves the connection open: the probe stops waiting soon.
            _ = try await TLSProbe.send(
                hello + target.input(index, seed: 12), to: port, presenting: node2, trusting: node2.ca, timeout: .milliseconds(200))
        }
        let wrong = try await load
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(try await checkedLoad(colony, client: 78, count: 5).isEmpty, "the colony serves after the stream")
        // The frames that did not decode are counted where an operator alerts on them.
        let admin = try #require(colony.configs[0].own.adminAddress)
        let metrics = try await HTTPProbe.get("/metrics", from: admin).body
        let prefix = "colony_peer_messages_refused_total{reason=\"malformed_frame\"} "
        let line: Substring? = metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }
        let refused: Int = line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        let shown: String = line.map { String($0) } ?? "no line for malformed frames at /metrics"
        #expect(refused > 0, "\(shown)")
        await colony.shutdown()
    }
}
