import ColonyCore
import ColonyTestSupport
import ColonyWire
import Foundation
import Testing
@testable import ColonyNode
@testable import colony

/// Bytes that are not a peer's, before TLS and inside an authenticated TLS connection: each
/// connection is closed by the node, which goes on serving.
@Suite("a node refuses garbage on its peer port and keeps serving", .serialized, .colonyTurn)
struct PeerGarbageTests {
    /// Connects to `address`, sends `bytes`, and reports whether the node closed the
    /// connection within `seconds` (a read that returns end-of-file or a reset). Whatever the
    /// node answers first (a TLS alert) is read past. Blocks: run it on a thread of its own.
    static func isClosedByNode(after bytes: [UInt8], to address: String, seconds: Int = 10) throws -> Bool {
        guard let target = HostPort(address) else { throw TLSProbeError.notAnAddress(address) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_addr.s_addr = inet_addr(target.host)
        peer.sin_port = UInt16(target.port).bigEndian
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TLSProbeError.cannotConnect(address) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        for _ in 0..<64 {
            let read = recv(fd, &buffer, buffer.count, 0)
            if read == 0 || (read < 0 && errno == ECONNRESET) { return true }
            if read < 0 { return false }
        }
        return false
    }

    func header(kind: UInt8, length: UInt32) -> [UInt8] {
        PeerFrame.magic + [FormatLevel.first.peerFrameVersion, kind] + withUnsafeBytes(of: length.littleEndian, Array.init)
    }

    /// Frames no node sends: each must close the connection it arrives on.
    func attacks() -> [(String, [UInt8])] {
        var random = SplitMix64(seed: 3)
        return [
            ("an HTTP request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("random bytes", (0..<512).map { _ in UInt8(truncatingIfNeeded: random.next()) }),
            ("a 2 GB frame", header(kind: 2, length: 0x7FFF_FFFF)),
            ("an unknown frame kind", header(kind: 0xEE, length: 0)),
            ("a future format version", PeerFrame.magic + [9, 1, 0, 0, 0, 0]),
            ("a hello whose body is garbage", header(kind: 1, length: 4) + [0xFF, 0xFF, 0xFF, 0xFF]),
            ("a hello from another colony", PeerFrame.hello(colony: "other", node: NodeID(2), reads: 1...1).encoded()),
            ("a hello from an unknown node", PeerFrame.hello(colony: "test", node: NodeID(99), reads: 1...1).encoded()),
            ("messages before any hello", PeerFrame.messages([], incarnation: 1).encoded()),
            ("a truncated header, then silence", Array(PeerFrame.magic.prefix(3))),
            ("nothing at all", []),
        ]
    }

    /// Starts three nodes with a short hello timeout and a cell on them.
    func startColony() async throws -> LocalColony {
        var options = ColonyNodeServer.Options()
        options.peerConnections.handshakeTimeout = .milliseconds(300)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        return colony
    }

    /// Fails the test unless the colony still commits a write.
    func expectServing(_ colony: LocalColony, client: UInt64) async throws {
        let write = ClientRequest(
            id: RequestID(client: ClientID(client), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), [1]))
        let outcome = try await colony.run(write, startingAt: 1)
        guard case .completed(.success(.written)) = outcome else {
            Issue.record("the colony stopped serving after the garbage: \(outcome)")
            return
        }
    }

    @Test(
        "before its hello a peer may send only a frame as small as a hello: a large frame is refused at its header, and a client's certificate at the handshake",
        .timeLimit(.minutes(1)))
    func nothingLargeBeforeHello() async throws {
        var options = ColonyNodeServer.Options()
        // Only the checks themselves may close these connections in time, not the deadline.
        options.peerConnections.handshakeTimeout = .seconds(60)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.start(1)
        let port = colony.configs[0].own.peerAddress
        let node2 = colony.certificates.files(for: .node(NodeID(2)))
        let client = colony.certificates.files(for: .client(CertificateFolder.developmentClient))
        let largeFrame = header(kind: 2, length: UInt32(options.frameBytesMax)) + [UInt8](repeating: 0, count: 65_536)
        let asNode = try await TLSProbe.send(largeFrame, to: port, presenting: node2, trusting: node2.ca, timeout: .seconds(5))
        #expect(asNode == .closedByNode, "the node waited for the body of a large frame sent before any hello")
        let asClient = try await TLSProbe.send([], to: port, presenting: client, trusting: node2.ca, timeout: .seconds(5))
        #expect(asClient == .closedByNode, "the node kept a peer connection made with a client's certificate")
        let largeHello = header(kind: 1, length: UInt32(PeerFrameDecoder.helloBodyBytesMax + 1))
        let hello = try await TLSProbe.send(largeHello, to: port, presenting: node2, trusting: node2.ca, timeout: .seconds(5))
        #expect(hello == .closedByNode, "the node waited for a hello larger than any hello")
        await colony.shutdown()
    }

    @Test("bytes that are not TLS (HTTP, random bytes, frames in the clear, silence) are each refused at the TLS layer")
    func garbageBeforeTLS() async throws {
        let colony = try await startColony()
        let port = colony.configs[0].own.peerAddress
        let hello = PeerFrame.hello(colony: "test", node: NodeID(2), reads: 1...1).encoded()
        for (name, bytes) in attacks() + [("a valid hello in the clear", hello)] {
            let closed = try await OwnThread.run { try Self.isClosedByNode(after: bytes, to: port) }
            #expect(closed, "the node kept a connection open after \(name)")
        }
        try await expectServing(colony, client: 5)
        await colony.shutdown()
    }

    @Test("inside a TLS connection authenticated as node 2, each malformed or foreign frame is refused")
    func garbageInsideTLS() async throws {
        let colony = try await startColony()
        let port = colony.configs[0].own.peerAddress
        let node2 = colony.certificates.files(for: .node(NodeID(2)))
        for (name, bytes) in attacks() {
            let outcome = try await TLSProbe.send(bytes, to: port, presenting: node2, trusting: node2.ca)
            #expect(outcome == .closedByNode, "the node kept an authenticated connection open after \(name)")
        }
        try await expectServing(colony, client: 6)
        await colony.shutdown()
    }
}
