import ColonyClient
@testable import colony
import Foundation
import Testing

/// A client whose node is down hears the connection refused, and says so.
@Suite("a refused connection")
struct ConnectionRefusalTests {
    @Test("a read at an address where nothing listens ends unavailable, naming the refused connection, not the gRPC channel's state")
    func readAtAClosedPort() async throws {
        let port = try FreePorts.take(1)[0]
        var policy = ColonyClient.Policy()
        policy.deadline = .milliseconds(500)
        let client = try ColonyClient(nodes: ["127.0.0.1:\(port)"], tls: .plaintext, policy: policy)
        await #expect {
            _ = try await client.get("cell", "key")
        } throws: { error in
            guard case .unavailable(let message)? = error as? ColonyError else { return false }
            return message.contains("connection refused (no node listens there")
        }
    }
}
