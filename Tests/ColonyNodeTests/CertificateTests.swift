import ColonyCore
import Foundation
import Logging
import SwiftASN1
import Testing
import X509
@testable import ColonyNode
@testable import colony

/// `colony certs` and the checks a node makes of its TLS files at start.
@Suite("certificates: made by colony certs, checked at start")
struct CertificateTests {
    /// A fresh folder, removed by the caller.
    func folder() -> CertificateFolder {
        CertificateFolder(directory: NSTemporaryDirectory() + "colony-certs-\(UUID().uuidString)")
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("init, node and client make a chain that verifies; keys are 0600; nothing is replaced without --force")
    func chainVerifies() throws {
        let certificates = folder()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        try CertsInitCommand.parse(["--dir", certificates.directory]).run()
        try CertsNodeCommand.parse(["3", "--dir", certificates.directory, "--host", "db.example.com", "--host", "10.1.2.3"]).run()
        try CertsClientCommand.parse(["alice", "--dir", certificates.directory]).run()

        let node = try TLSMaterial.load(certificates.files(for: .node(NodeID(3))), expected: .node(NodeID(3)))
        #expect(node.identity == .node(NodeID(3)))
        let client = try TLSMaterial.load(certificates.files(for: .client("alice")), expected: nil)
        #expect(client.identity == .client("alice"))

        let certificate = try Certificate(pemEncoded: String(decoding: node.certificatePEM, as: UTF8.self))
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.dnsName("db.example.com")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))))

        #expect(try mode(certificates.authorityKey) == 0o600)
        #expect(try mode(certificates.files(for: .node(NodeID(3))).key) == 0o600)
        #expect(try mode(certificates.files(for: .client("alice")).key) == 0o600)

        #expect(throws: CertificateFolderError.self) { try CertsInitCommand.parse(["--dir", certificates.directory]).run() }
        #expect(throws: CertificateFolderError.self) { try CertsNodeCommand.parse(["3", "--dir", certificates.directory]).run() }
        try CertsNodeCommand.parse(["3", "--dir", certificates.directory, "--force"]).run()
    }

    @Test("a certificate checked against another CA is refused, and so is one named for another node")
    func wrongAuthorityOrNode() throws {
        let ours = folder()
        let theirs = folder()
        defer {
            try? FileManager.default.removeItem(atPath: ours.directory)
            try? FileManager.default.removeItem(atPath: theirs.directory)
        }
        try ours.prepareDevelopment(nodes: [1, 2])
        try theirs.prepareDevelopment(nodes: [1])
        var crossed = theirs.files(for: .node(NodeID(1)))
        crossed.ca = ours.authorityCertificate
        #expect(throws: TLSFileError.notSignedByAuthority(certificate: crossed.certificate, authority: crossed.ca)) {
            try TLSMaterial.load(crossed, expected: .node(NodeID(1)))
        }
        let node2 = ours.files(for: .node(NodeID(2)))
        #expect(throws: TLSFileError.wrongIdentity(path: node2.certificate, found: .node(NodeID(2)), expected: .node(NodeID(1)))) {
            try TLSMaterial.load(node2, expected: .node(NodeID(1)))
        }
    }

    @Test("missing, non-PEM, mismatched, expired and not-yet-valid files are each refused, naming the file")
    func brokenFiles() throws {
        let certificates = folder()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        try certificates.prepareDevelopment(nodes: [1, 2])
        let node1 = certificates.files(for: .node(NodeID(1)))
        let node2 = certificates.files(for: .node(NodeID(2)))
        let garbage = certificates.directory + "/garbage.pem"
        try Data("-----BEGIN CERTIFICATE-----\nnot base64\n".utf8).write(to: URL(fileURLWithPath: garbage))

        var missing = node1
        missing.key = certificates.directory + "/absent.key"
        #expect(throws: TLSFileError.missing(path: missing.key, role: "private key")) { try TLSMaterial.load(missing, expected: nil) }
        var notPEM = node1
        notPEM.certificate = garbage
        #expect(throws: TLSFileError.notPEM(path: garbage, expected: "a PEM certificate")) { try TLSMaterial.load(notPEM, expected: nil) }
        var mismatched = node1
        mismatched.key = node2.key
        #expect(throws: TLSFileError.keyMismatch(certificate: node1.certificate, key: node2.key)) {
            try TLSMaterial.load(mismatched, expected: nil)
        }
        var leafAsAuthority = node1
        leafAsAuthority.ca = node2.certificate
        #expect(throws: TLSFileError.notAuthority(path: node2.certificate)) { try TLSMaterial.load(leafAsAuthority, expected: nil) }

        let inThreeYears = Date().addingTimeInterval(3 * 365 * 86_400)
        #expect {
            try TLSMaterial.load(node1, expected: nil, now: inThreeYears)
        } throws: { error in
            guard case TLSFileError.expired(let path, _) = error else { return false }
            return path == node1.certificate
        }
        let twoDaysAgo = Date().addingTimeInterval(-2 * 86_400)
        #expect {
            try TLSMaterial.load(node1, expected: nil, now: twoDaysAgo)
        } throws: { error in
            guard case TLSFileError.notYetValid = error else { return false }
            return true
        }
    }

    @Test("certs refuses a node named by anything but its id, a bad client name, and a bad host; issuing needs a CA")
    func badNames() throws {
        let certificates = folder()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        #expect(throws: (any Error).self) { try CertsNodeCommand.parse(["web", "--dir", certificates.directory]) }
        #expect(throws: (any Error).self) { try CertsNodeCommand.parse(["0", "--dir", certificates.directory]) }
        #expect(throws: (any Error).self) { try CertsClientCommand.parse(["a b", "--dir", certificates.directory]) }
        #expect(throws: CertificateFolderError.self) { try CertsNodeCommand.parse(["1", "--dir", certificates.directory]).run() }
        try CertsInitCommand.parse(["--dir", certificates.directory]).run()
        #expect(throws: CertificateRequestError.invalidHost("bad host!")) {
            try CertsNodeCommand.parse(["1", "--dir", certificates.directory, "--host", "bad host!"]).run()
        }
    }

    @Test("a configuration without TLS is refused with how to make certificates, unless it says plaintext")
    func configurationRequiresTLS() throws {
        let address = NodeAddress(node: 1, peerAddress: "127.0.0.1:7101", clientAddress: "127.0.0.1:7201")
        var config = NodeConfig(colony: "c", node: 1, dataDirectory: "/tmp/n1", nodes: [address])
        #expect {
            try config.validate()
        } throws: { error in
            "\((error as? NodeConfigProblem)?.reason ?? "")".contains("colony certs init --dir DIR")
        }
        config.plaintext = true
        try config.validate()
        config.tls = TLSFiles(ca: "ca.pem", certificate: "node-1.pem", key: "node-1.key")
        #expect(throws: NodeConfigProblem.self) { try config.validate() }
        config.plaintext = nil
        try config.validate()
    }

    @Test("a node whose certificate was issued to another node does not start")
    func nodeRefusesAnotherNodesCertificate() async throws {
        let certificates = folder()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        try certificates.prepareDevelopment(nodes: [1, 2])
        let ports = try FreePorts.take(2)
        let address = NodeAddress(node: 1, peerAddress: "127.0.0.1:\(ports[0])", clientAddress: "127.0.0.1:\(ports[1])")
        let config = NodeConfig(
            colony: "c", node: 1, dataDirectory: certificates.directory + "/n1", nodes: [address],
            tls: certificates.files(for: .node(NodeID(2))))
        await #expect {
            _ = try await ColonyNodeServer.start(config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        } throws: { error in
            guard case TLSFileError.wrongIdentity(_, .node(NodeID(2)), .node(NodeID(1))) = error else { return false }
            return true
        }
    }
}
