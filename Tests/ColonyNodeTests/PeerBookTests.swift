import ColonyAuth
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyWire
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import ColonyNode

/// A node's peer book: its configuration's nodes overlaid by the directory's node records,
/// and the file that keeps those records across a restart, read as untrusted input.
@Suite("a node's peer book merges its configuration with the directory, and its file is read strictly")
struct PeerBookTests {
    /// Node 4 of a colony whose configuration lists itself and node 1 only.
    static let config = NodeConfig(
        colony: "test", node: 4, dataDirectory: "/tmp/unused",
        nodes: [
            NodeAddress(node: 4, peerAddress: "h4:7100", clientAddress: "h4:7200"),
            NodeAddress(node: 1, peerAddress: "h1:7100", clientAddress: "h1:7200"),
        ],
        plaintext: true)

    static func record(_ id: UInt32, host: String? = nil, state: NodeState = .active) -> NodeRecord {
        let host = host ?? "h\(id)"
        return NodeRecord(id: id, peerAddress: "\(host):7100", clientAddress: "\(host):7200", zone: "z1", rack: "r\(id)", state: state)
    }

    @Test("the directory's records add peers, move them, and a gone node leaves the book even when the configuration lists it")
    func merge() throws {
        var book = PeerBook(config: Self.config)
        #expect(book.peers == [NodeID(1)])
        let first = try book.adopt([Self.record(1), Self.record(2), Self.record(3), Self.record(4, host: "moved")])
        #expect(first.added == [NodeID(2), NodeID(3)] && first.removed.isEmpty)
        #expect(book.peers == [NodeID(1), NodeID(2), NodeID(3)])
        #expect(book.addresses[NodeID(2)]?.clientAddress == "h2:7200")
        // The node's own entry is always its configuration's.
        #expect(book.addresses[NodeID(4)]?.peerAddress == "h4:7100")

        let second = try book.adopt([Self.record(1, state: .gone), Self.record(2, host: "new2"), Self.record(3, state: .draining)])
        #expect(second.added.isEmpty && second.removed == [NodeID(1)])
        #expect(book.peers == [NodeID(2), NodeID(3)])
        #expect(book.addresses[NodeID(2)]?.peerAddress == "new2:7100")
        #expect(book.addresses[NodeID(1)] == nil)
    }

    @Test("records that cannot be a directory's are refused whole and the book stays as it was")
    func refusals() throws {
        var book = PeerBook(config: Self.config)
        _ = try book.adopt([Self.record(2)])
        let kept = book
        var malformed = Self.record(3)
        malformed.peerAddress = "no-port"
        for records in [
            [Self.record(3), Self.record(3)], [malformed],
            (1...UInt32(PeerBook.recordsMax + 1)).map { Self.record($0) },
        ] {
            #expect(throws: PeerBookError.self) { _ = try book.adopt(records) }
            #expect(book == kept)
        }
    }

    @Test("the file keeps the records across a restart; a missing file is none, a damaged one a clear error")
    func file() throws {
        let directory = NSTemporaryDirectory() + "colony-peer-book-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = PeerBookFile(directory: directory)
        #expect(try file.load() == nil)
        let records = [Self.record(1), Self.record(2, state: .draining), Self.record(5, state: .gone)]
        try file.save(records)
        #expect(try file.load() == records)

        let valid = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file.path)), as: UTF8.self)
        let damaged: [(String, String)] = [
            ("an unknown key", valid.replacingOccurrences(of: "\"version\"", with: "\"versoin\"")),
            ("another layout version", valid.replacingOccurrences(of: "\"version\":1", with: "\"version\":2")),
            ("a malformed record", valid.replacingOccurrences(of: "h1:7100", with: "h1")),
            ("a torn file", String(valid.prefix(valid.count / 2))),
            ("a record twice", valid.replacingOccurrences(of: "\"id\":2", with: "\"id\":1")),
            ("an oversized file", String(repeating: " ", count: PeerBookFile.bytesMax + 1)),
        ]
        for (name, text) in damaged {
            try text.write(toFile: file.path, atomically: true, encoding: .utf8)
            #expect(throws: PeerBookError.self, "\(name)") { _ = try file.load() }
        }
    }
}

/// The peer port's greeting against the book, on an embedded channel: a known peer's frames
/// pass, an unknown id is refused and asks for a read, and a peer the book drops as gone is
/// cut off at its next frame.
@Suite("the peer port admits only the nodes in the book, and cuts off one that leaves it")
struct PeerBookAdmissionTests {
    final class Delivered: @unchecked Sendable {
        private let lock = NSLock()
        private var senders: [NodeID] = []
        func append(_ sender: NodeID) { lock.withLock { senders.append(sender) } }
        var all: [NodeID] { lock.withLock { senders } }
    }

    /// Node 1's peer port, plaintext, holding `peers` and refusing the nodes `revoked` names;
    /// what it delivers goes to `delivered`.
    func port(_ peers: PeerAddresses, _ delivered: Delivered, revoked: RevokedNodes = RevokedNodes(AuthPolicy())) async throws -> EmbeddedChannel {
        let handler = PeerInboundHandler(
            colony: "test", node: NodeID(1), peers: peers, revoked: revoked, authenticatesPeers: false, connection: PeerConnectionState(),
            written: WrittenFormat(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            deliver: { sender, _, _ in delivered.append(sender) })
        let channel = EmbeddedChannel(handler: handler)
        try await channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 7100)).get()
        return channel
    }

    static let config = NodeConfig(
        colony: "test", node: 1, dataDirectory: "/tmp/unused",
        nodes: (1...3).map { NodeAddress(node: $0, peerAddress: "h\($0):7100", clientAddress: "h\($0):7200") }, plaintext: true)

    @Test("a seed peer's frames pass until the directory records it gone; an unknown id is refused and asks for a read")
    func admission() async throws {
        let peers = PeerAddresses(PeerBook(config: Self.config))
        let delivered = Delivered()
        let frame = PeerFrame.liveness(incarnation: 1).encoded()

        let known = try await port(peers, delivered)
        try known.writeInbound(PeerFrame.hello(colony: "test", node: NodeID(3), reads: 1...1).encoded())
        try known.writeInbound(frame)
        #expect(known.isActive && delivered.all == [NodeID(3)])
        _ = try peers.adopt([PeerBookTests.record(3, state: .gone)])
        try known.writeInbound(frame)
        #expect(!known.isActive, "node 3, gone, kept its connection")
        #expect(delivered.all == [NodeID(3)], "a frame of node 3 was delivered after it left the book")

        let stranger = try await port(peers, delivered)
        try stranger.writeInbound(PeerFrame.hello(colony: "test", node: NodeID(9), reads: 1...1).encoded())
        #expect(!stranger.isActive, "node 9, in no book, kept its connection")
        var asked = peers.refreshes.makeAsyncIterator()
        #expect(await asked.next() != nil, "the unknown hello did not ask for a read of the directory")
    }

    @Test("a node whose identity the policy revokes is cut off at its next frame and refused at its hello; the others pass")
    func revokedNode() async throws {
        let peers = PeerAddresses(PeerBook(config: Self.config))
        let delivered = Delivered()
        let revoked = RevokedNodes(AuthPolicy())
        let frame = PeerFrame.liveness(incarnation: 1).encoded()

        let connected = try await port(peers, delivered, revoked: revoked)
        try connected.writeInbound(PeerFrame.hello(colony: "test", node: NodeID(3), reads: 1...1).encoded())
        try connected.writeInbound(frame)
        #expect(connected.isActive && delivered.all == [NodeID(3)])
        revoked.adopt(try PolicyChange.revokeIdentity(.node(3)).applied(to: AuthPolicy()))
        try connected.writeInbound(frame)
        #expect(!connected.isActive, "node 3, revoked, kept its connection")
        #expect(delivered.all == [NodeID(3)], "a frame of node 3 was delivered after its identity was revoked")

        let again = try await port(peers, delivered, revoked: revoked)
        try again.writeInbound(PeerFrame.hello(colony: "test", node: NodeID(3), reads: 1...1).encoded())
        #expect(!again.isActive, "node 3, revoked, was admitted")
        let other = try await port(peers, delivered, revoked: revoked)
        try other.writeInbound(PeerFrame.hello(colony: "test", node: NodeID(2), reads: 1...1).encoded())
        try other.writeInbound(frame)
        #expect(other.isActive && delivered.all == [NodeID(3), NodeID(2)])
    }
}
