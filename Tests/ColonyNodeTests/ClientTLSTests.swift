import ColonyAPI
import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import ColonyNode
@testable import colony

/// The client API requires a certificate from the colony's CA; the client checks the node's.
@Suite("clients must present a certificate from the colony's CA", .serialized, .colonyTurn)
struct ClientTLSTests {
    /// A client policy that gives up once every node refused it, with time enough for the
    /// handshakes of a machine busy with the other tests.
    var fast: ColonyClient.Policy {
        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(20)
        policy.attemptTimeout = .seconds(10)
        return policy
    }

    /// The error of one `listCells` call over gRPC with `security`, made without the client library.
    func rawCallError(_ address: String, security: HTTP2ClientTransport.Posix.TransportSecurity) async throws -> String {
        guard let target = HostPort(address) else { return "not an address" }
        let grpc = GRPCClient(transport: try .http2NIOPosix(target: .ipv4(address: target.host, port: target.port), transportSecurity: security))
        async let running: Void = grpc.runConnections()
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        let outcome: String
        do {
            _ = try await Colony_V1_Colony.Client(wrapping: grpc).listCells(Colony_V1_ListCellsRequest(), options: options)
            outcome = "served"
        } catch {
            outcome = "\(error)"
        }
        grpc.beginGracefulShutdown()
        try await running
        return outcome
    }

    @Test("a client without a certificate, with one from another CA, trusting another CA, or without TLS is refused with a clear error; a valid client is served before and after")
    func strangersAreRefused() async throws {
        let recorder = LogRecorder()
        let colony = try LocalColony(nodes: 3, logger: recorder.logger())
        try await colony.startAll()
        let addresses = colony.configs.map(\.own.clientAddress)
        let valid = try ColonyClient(nodes: addresses, tls: colony.clientTLS)
        _ = try await valid.createCell("orders", nodes: [1, 2, 3])
        try await valid.put("orders", "k", "before")

        let authority = colony.certificates.authorityCertificate
        let withoutCertificate = try await rawCallError(
            addresses[0], security: .tls { $0.trustRoots = .certificates([.file(path: authority, format: .pem)]) })
        #expect(withoutCertificate.contains("CERTIFICATE_REQUIRED"), "\(withoutCertificate)")
        #expect(await recorder.message(containing: "refusing a client connection: the TLS handshake failed (PEER_DID_NOT_RETURN_A_CERTIFICATE)") != nil)

        let other = CertificateFolder(directory: colony.root + "/other-ca")
        try other.prepareDevelopment(nodes: [])
        let foreign = other.files(for: .client(CertificateFolder.developmentClient))
        let stranger = try ColonyClient(
            nodes: addresses, tls: .files(ca: authority, certificate: foreign.certificate, key: foreign.key), policy: fast)
        await #expect {
            try await stranger.put("orders", "k", "stranger")
        } throws: { error in
            "\(error)".contains("the node refused this client's certificate") && error is ColonyError && !"\(error)".contains("outcome unknown")
        }
        await stranger.close()

        let ours = colony.certificates.files(for: .client(CertificateFolder.developmentClient))
        let distrustful = try ColonyClient(
            nodes: addresses, tls: .files(ca: other.authorityCertificate, certificate: ours.certificate, key: ours.key), policy: fast)
        await #expect {
            _ = try await distrustful.get("orders", "k")
        } throws: { error in
            "\(error)".contains("could not verify the node's certificate")
        }
        await distrustful.close()

        let plaintext = try ColonyClient(nodes: addresses, tls: .plaintext, policy: fast)
        await #expect(throws: ColonyError.self) { try await plaintext.put("orders", "k", "plaintext") }
        await plaintext.close()

        try await valid.put("orders", "k", "after")
        #expect(try await valid.get("orders", "k")?.text == "after")
        await valid.close()
        await colony.shutdown()
    }

    @Test("a client that is given missing or non-PEM files says which file and what to do")
    func badClientFiles() throws {
        let folder = NSTemporaryDirectory() + "colony-client-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notPEM = folder + "/garbage.pem"
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: notPEM))
        #expect {
            try ColonyClient(nodes: ["127.0.0.1:1"], tls: .files(ca: folder + "/absent.pem", certificate: notPEM, key: notPEM))
        } throws: { error in
            "\(error)".contains("absent.pem does not exist")
        }
        #expect {
            try ColonyClient(nodes: ["127.0.0.1:1"], tls: .files(ca: notPEM, certificate: notPEM, key: notPEM))
        } throws: { error in
            "\(error)".contains("garbage.pem does not hold a PEM certificate")
        }
    }
}
