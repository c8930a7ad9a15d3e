import ColonyAPI
import ColonyClient
import ColonyTestSupport
import Foundation
import Testing
@testable import colony
@_spi(Testing) @testable import ColonyNode

/// A client's session (its `client_id`) belongs to the identity that uses it: another
/// certificate sending the same id reaches a session of its own.
@Suite("sessions are bound to the identity that opens them", .serialized, .colonyTurn)
struct SessionBindingTests {
    /// Client `app` writes under session 42, another identity writes under the same id with
    /// the highest sequence, then `app` writes its second request; returns that reply.
    private func poisonedSecondWrite(defects: Set<AuthorizationDefect>) async throws -> Colony_V1_PutReply {
        var options = ColonyNodeServer.Options()
        options.authorizationDefects = defects
        let colony = try LocalColony(nodes: 3, options: options)
        try await colony.startAll()
        let admin = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await admin.createCell("app-1", nodes: [1, 2, 3])
        _ = try await admin.put("app-1", "warm", "up")
        await admin.close()
        let files = colony.certificates.files(for: .client(CertificateFolder.applicationClient))
        let app = ClientTLS.files(ca: files.ca, certificate: files.certificate, key: files.key)
        let addresses = colony.configs.map(\.own.clientAddress)
        let first = try await RawColonyCall.put(
            "app-1", "k", "1", clientID: 42, sequence: 1, opensSession: true, addresses: addresses, tls: app)
        #expect(!first.hasError, "\(first)")
        let poison = try await RawColonyCall.put(
            "app-1", "k", "poison", clientID: 42, sequence: .max, opensSession: true, addresses: addresses, tls: colony.clientTLS)
        #expect(!poison.hasError, "the other identity's write goes to a session of its own: \(poison)")
        let second = try await RawColonyCall.put(
            "app-1", "k", "2", clientID: 42, sequence: 2, opensSession: false, addresses: addresses, tls: app)
        await colony.shutdown()
        return second
    }

    @Test("another identity that sends a client's session id with sequence 2^64−1 does not overtake that client's session", .timeLimit(.minutes(1)))
    func boundSession() async throws {
        let second = try await poisonedSecondWrite(defects: [])
        #expect(!second.hasError, "\(second)")
    }

    @Test("with sessions unbound (a defect), the same attack makes the client's next write fail", .timeLimit(.minutes(1)))
    func unboundSession() async throws {
        let second = try await poisonedSecondWrite(defects: [.sessionsUnbound])
        #expect(second.hasError, "the defect must let the other identity overtake the session: \(second)")
    }
}
