import ColonyCore
import ColonyWire
import Foundation
import Glibc
import Testing
@testable import ColonyNode

/// Bytes that are not a peer's: each connection is closed by the node, which goes on serving.
@Suite("a node refuses garbage on its peer port and keeps serving", .serialized)
struct PeerGarbageTests {
    /// Connects to `address`, sends `bytes`, and reports whether the node closed the
    /// connection within `seconds` (a read that returns end-of-file or a reset).
    func isClosedByNode(after bytes: [UInt8], to address: String, seconds: Int = 10) throws -> Bool {
        let target = try #require(HostPort(address))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_addr.s_addr = inet_addr(target.host)
        peer.sin_port = UInt16(target.port).bigEndian
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "cannot connect to \(address)")
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let read = recv(fd, &buffer, buffer.count, 0)
        return read == 0 || (read < 0 && errno == ECONNRESET)
    }

    func header(kind: UInt8, length: UInt32) -> [UInt8] {
        PeerFrame.magic + [PeerFrame.version, kind] + withUnsafeBytes(of: length.littleEndian, Array.init)
    }

    @Test("HTTP, random bytes, an absurd length, a bad body, a stranger's hello and silence are each refused")
    func garbage() async throws {
        var options = ColonyNodeServer.Options()
        options.helloTimeout = .milliseconds(300)
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let port = colony.configs[0].own.peerAddress
        var random = SplitMix64(seed: 3)
        let attacks: [(String, [UInt8])] = [
            ("an HTTP request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("random bytes", (0..<512).map { _ in UInt8(truncatingIfNeeded: random.next()) }),
            ("a 2 GB frame", header(kind: 2, length: 0x7FFF_FFFF)),
            ("an unknown frame kind", header(kind: 0xEE, length: 0)),
            ("a future format version", PeerFrame.magic + [9, 1, 0, 0, 0, 0]),
            ("a hello whose body is garbage", header(kind: 1, length: 4) + [0xFF, 0xFF, 0xFF, 0xFF]),
            ("a hello from another colony", PeerFrame.hello(colony: "other", node: NodeID(2)).encoded()),
            ("a hello from an unknown node", PeerFrame.hello(colony: "test", node: NodeID(99)).encoded()),
            ("messages before any hello", PeerFrame.messages([]).encoded()),
            ("a truncated header, then silence", Array(PeerFrame.magic.prefix(3))),
            ("nothing at all", []),
        ]
        for (name, bytes) in attacks {
            #expect(try isClosedByNode(after: bytes, to: port), "the node kept a connection open after \(name)")
        }
        let write = ClientRequest(
            id: RequestID(client: ClientID(5), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), [1]))
        let outcome = try await colony.run(write, startingAt: 1)
        guard case .completed(.success(.written)) = outcome else {
            Issue.record("the colony stopped serving after the garbage: \(outcome)")
            return
        }
        await colony.shutdown()
    }
}
