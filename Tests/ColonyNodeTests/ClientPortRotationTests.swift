import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import colony
@_spi(Testing) @testable import ColonyNode

/// The gRPC client port fixes its TLS configuration when it opens; the node checks clients'
/// certificates itself, against the CAs of its current files.
@Suite("the client port trusts the CAs of the node's current files", .serialized, .colonyTurn)
struct ClientPortRotationTests {
    /// One node whose CA is replaced while it runs: its CA file holds the new CA alone, its
    /// certificate and `dev`'s are issued again by it. Once the node took them up, whether
    /// `app` (still the old CA's) and the new `dev` are served.
    private func servedAfterRotation(defects: Set<TLSDefect>, recorder: LogRecorder = LogRecorder()) async throws -> (old: Bool, new: Bool) {
        var options = ColonyNodeServer.Options()
        options.tlsFilesPollInterval = .milliseconds(100)
        options.tlsDefects = defects
        let colony = try LocalColony(nodes: 1, options: options, logger: recorder.logger())
        try await colony.startAll()
        let address = colony.configs[0].own.clientAddress
        let app = colony.certificates.files(for: .client(CertificateFolder.applicationClient))
        #expect(await ServedProbe.isServed(app, at: address), "the old CA's client is served before the rotation")
        // A connection of the old CA's client, open across the rotation.
        let held = try ColonyClient(nodes: [address], tls: .files(ca: app.ca, certificate: app.certificate, key: app.key))
        _ = try? await held.cellInfo("no-such-cell")

        let authority = try CertificateFolder(directory: colony.root + "/new-certs").makeAuthority(subject: "CN=Colony CA 2", force: false)
        for identity in [CertificateIdentity.node(NodeID(1)), .client(CertificateFolder.developmentClient)] {
            let issued = try authority.issue(identity)
            let files = colony.certificates.files(for: identity)
            try CertificateFolder.writeFile(issued.keyPEM, to: files.key, mode: 0o600)
            try CertificateFolder.writeFile(issued.certificatePEM, to: files.certificate, mode: 0o644)
        }
        try CertificateFolder.writeFile(try authority.certificatePEM, to: colony.certificates.authorityCertificate, mode: 0o644)
        // Only the whole new set passes the node's checks: a reload means it took that set up.
        let admin = try #require(colony.configs[0].own.adminAddress)
        let reloaded = await ControlPlaneSupport.eventually(within: .seconds(30)) {
            guard let page = try? await HTTPProbe.get("/metrics", from: admin).body else { return false }
            return (AdminScrape.metric("colony_tls_reloads_total", in: page) ?? 0) >= 1
        }
        try #require(reloaded, "the node did not take up the new CA within 30 s")
        let old = await ServedProbe.isServed(app, at: address)
        let new = await ServedProbe.isServed(colony.certificates.files(for: .client(CertificateFolder.developmentClient)), at: address)
        await held.close()
        await colony.shutdown()
        return (old, new)
    }

    @Test("after the CA is replaced with no restart, a client of the old CA is refused, logged, and its open connection closed; one of the new CA is served", .timeLimit(.minutes(1)))
    func currentTrust() async throws {
        let recorder = LogRecorder()
        let served = try await servedAfterRotation(defects: [], recorder: recorder)
        #expect(!served.old && served.new, "old CA's client served: \(served.old); new CA's client served: \(served.new)")
        let reload = await recorder.message(containing: "took up the changed TLS files")
        #expect(reload?.contains("trusting the CAs CN=Colony CA 2") == true, "\(reload ?? "no reload logged")")
        #expect(await recorder.message(containing: "refusing a client connection: the TLS handshake failed (CERTIFICATE_VERIFY_FAILED)") != nil)
        // The old CA's client's connection open across the rotation, and the node's own clients'
        // (its policy and peer-book readers, which reconnect with its new certificate).
        #expect(await recorder.message(containing: "client connections whose certificates the CAs now trusted do not verify") != nil,
                "the old CA's client's connection open across the rotation is not closed")
    }

    @Test("with the defect clientTrustFixed the client port goes on trusting the old CA, and refuses the new", .timeLimit(.minutes(1)))
    func fixedTrustNoticed() async throws {
        let served = try await servedAfterRotation(defects: [.clientTrustFixed])
        #expect(served.old && !served.new, "old CA's client served: \(served.old); new CA's client served: \(served.new)")
    }
}
