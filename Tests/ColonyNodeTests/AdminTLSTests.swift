import ColonyAuth
import ColonyTestSupport
import Foundation
import Logging
import NIOSSL
import Testing
@testable import colony
@testable import ColonyNode

/// The admin endpoint over TLS, when the configuration asks for it.
@Suite("the admin endpoint over TLS", .serialized, .colonyTurn)
struct AdminTLSTests {
    /// A client TLS context trusting the colony's CA, presenting `identity` if given.
    private func context(_ colony: LocalColony, presenting identity: TLSFiles?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(colony.certificates.authorityCertificate))
        configuration.certificateVerification = .noHostnameVerification
        if let identity {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(identity.certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: identity.key, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    @Test("with \"adminTLS\": true the endpoint answers only TLS clients presenting a certificate of the colony's CA whose identity is not revoked", .timeLimit(.minutes(1)))
    func adminOverTLS() async throws {
        let colony = try LocalColony(nodes: 1)
        var config = colony.configs[0]
        config.adminTLS = true
        let server = try await ColonyNodeServer.start(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let admin = try #require(config.own.adminAddress)
        let client = colony.certificates.files(for: .client(CertificateFolder.developmentClient))

        let withCertificate = try await HTTPProbe.get("/health", from: admin, tls: try context(colony, presenting: client))
        #expect(withCertificate.status == 200, "\(withCertificate)")
        let withoutCertificate = try await HTTPProbe.get("/health", from: admin, tls: try context(colony, presenting: nil))
        #expect(withoutCertificate.status == 0, "a client without a certificate gets no answer: \(withoutCertificate)")
        let plain = try? await HTTPProbe.get("/health", from: admin)
        #expect(plain?.status != 200, "plain HTTP gets no answer: \(String(describing: plain))")

        let application = colony.certificates.files(for: .client(CertificateFolder.applicationClient))
        _ = server.authorizer.adopt(.record(AuthPolicy(revoked: [Identity.client(CertificateFolder.applicationClient).urn]), version: 1))
        let revoked = try await HTTPProbe.get("/metrics", from: admin, tls: try context(colony, presenting: application))
        #expect(revoked.status == 403 && revoked.body.contains("colony auth user reinstate"), "a revoked identity is refused: \(revoked)")
        let notRevoked = try await HTTPProbe.get("/health", from: admin, tls: try context(colony, presenting: client))
        #expect(notRevoked.status == 200, "another certificate of the CA is still answered: \(notRevoked)")

        await server.stop()
        await colony.shutdown()
    }

    @Test("\"adminTLS\": true without a \"tls\" section is refused")
    func adminTLSNeedsTLS() throws {
        var config = try LocalColony(nodes: 1).configs[0]
        config.tls = nil
        config.plaintext = true
        config.adminTLS = true
        #expect(throws: NodeConfigProblem.self) { try config.validate() }
    }
}
