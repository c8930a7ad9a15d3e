import ColonyClient
import Foundation
import Testing

/// A client whose node is down hears the connection refused, and says so.
@Suite("a refused connection")
struct ConnectionRefusalTests {
    @Test("a read at an address where nothing listens ends unavailable, naming the refused connection, not the gRPC channel's state")
    func readAtAClosedPort() async throws {
        // A socket bound and never listening: connections to its port are refused, and no
        // other test can take the port meanwhile (a port found free and let go could be).
        let socket = try BoundSocket()
        defer { socket.close() }
        // The only node is asked again after each refusal, until the deadline.
        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(10)
        let client = try ColonyClient(nodes: ["127.0.0.1:\(socket.port)"], tls: .plaintext, policy: policy)
        await #expect {
            _ = try await client.get("cell", "key")
        } throws: { error in
            guard case .unavailable(let message)? = error as? ColonyError else { return false }
            return message.contains("connection refused (no node listens there")
        }
    }
}

/// A TCP socket bound to a loopback port of the system's choosing, never listening.
private struct BoundSocket {
    let descriptor: Int32
    let port: UInt16

    struct Failure: Error, CustomStringConvertible {
        let call: String
        var description: String { "\(call) failed: errno \(errno)" }
    }

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw Failure(call: "bind")
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() {
        Glibc.close(descriptor)
    }
}
