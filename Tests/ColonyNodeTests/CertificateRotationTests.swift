import ColonyCore
import Foundation
import Testing
import ColonyClient
import NIOSSL
import X509
@testable import ColonyNode
@testable import colony

/// What a CA rotation stands on: `colony certs` names each CA and bounds what it issues, a CA
/// file may hold the old and the new CA at once, and a running node takes up changed files
/// only once they settle and pass.
@Suite("certificate rotation: named CAs, validity, CA bundles, changed files")
struct CertificateRotationTests {
    /// A fresh folder, removed by the caller.
    func folder(_ name: String = "certs") -> CertificateFolder {
        CertificateFolder(directory: NSTemporaryDirectory() + "colony-rotation-\(name)-\(UUID().uuidString)")
    }

    func certificate(_ path: String) throws -> Certificate {
        try Certificate(pemEncoded: String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
    }

    /// Writes `text` to `path`, replacing it.
    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test("certs init names the CA as asked and issues for --days; node and client certificates last --days")
    func subjectAndDays() throws {
        let certificates = folder()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        try CertsInitCommand.parse(["--dir", certificates.directory, "--subject", "CN=Example CA 2027, O=Example, C=DE", "--days", "30"]).run()
        try CertsNodeCommand.parse(["1", "--dir", certificates.directory, "--days", "7"]).run()
        try CertsClientCommand.parse(["alice", "--dir", certificates.directory, "--days", "1"]).run()

        let authority = try certificate(certificates.authorityCertificate)
        #expect("\(authority.subject)" == "CN=Example CA 2027,O=Example,C=DE")
        let days: (Certificate) -> Double = { $0.notValidAfter.timeIntervalSinceNow / 86_400 }
        #expect((29.9...30.01).contains(days(authority)))
        let node = try certificate(certificates.files(for: .node(NodeID(1))).certificate)
        #expect(node.issuer == authority.subject)
        #expect((6.9...7.01).contains(days(node)))
        #expect((0.9...1.01).contains(days(try certificate(certificates.files(for: .client("alice")).certificate))))

        let named = folder()
        defer { try? FileManager.default.removeItem(atPath: named.directory) }
        try CertsInitCommand.parse(["--dir", named.directory, "--name", "Colony CA 2028"]).run()
        #expect("\(try certificate(named.authorityCertificate).subject)" == "CN=Colony CA 2028,O=Colony")
    }

    @Test("certs refuses a validity outside 1 to 36500 days, a subject it cannot read, and --name with --subject")
    func refusals() throws {
        let directory = folder().directory
        for days in ["0", "-3", "36501"] {
            #expect(throws: (any Error).self) { try CertsInitCommand.parse(["--dir", directory, "--days", days]) }
            #expect(throws: (any Error).self) { try CertsNodeCommand.parse(["1", "--dir", directory, "--days", days]) }
            #expect(throws: (any Error).self) { try CertsClientCommand.parse(["a", "--dir", directory, "--days", days]) }
        }
        for subject in ["O=Example", "CN=", "CN=a, X=b", "CN a", "CN=a, C=Germany", "CN=" + String(repeating: "x", count: 65)] {
            #expect(throws: (any Error).self, "\(subject)") { try CertsInitCommand.parse(["--dir", directory, "--subject", subject]) }
        }
        #expect(throws: (any Error).self) { try CertsInitCommand.parse(["--dir", directory, "--subject", "CN=a", "--name", "b"]) }
        #expect(throws: CertificateRequestError.invalidValidity(days: 0)) { try CertificateAuthority.make(name: "x", days: 0) }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a CA bundle of the old and the new CA verifies certificates of both, and only of those")
    func bundle() throws {
        let old = folder("old")
        let new = folder("new")
        let stranger = folder("stranger")
        defer {
            for certificates in [old, new, stranger] { try? FileManager.default.removeItem(atPath: certificates.directory) }
        }
        try old.prepareDevelopment(nodes: [1])
        try new.makeAuthority(subject: "CN=Colony CA 2", force: false)
        try new.issue(.node(NodeID(1)), force: false)
        try stranger.prepareDevelopment(nodes: [1])
        let bundlePath = old.directory + "/bundle.pem"
        try write(try text(old.authorityCertificate) + text(new.authorityCertificate), to: bundlePath)

        for certificates in [old, new] {
            var files = certificates.files(for: .node(NodeID(1)))
            files.ca = bundlePath
            let material = try TLSMaterial.load(files, expected: .node(NodeID(1)))
            #expect(material.authorities.count == 2)
            #expect(try trustedCount(material.authorityPEM) == 2)
        }
        var foreign = stranger.files(for: .node(NodeID(1)))
        foreign.ca = bundlePath
        #expect(throws: TLSFileError.notSignedByAuthority(certificate: foreign.certificate, authority: bundlePath)) {
            try TLSMaterial.load(foreign, expected: nil)
        }

        var files = old.files(for: .node(NodeID(1)))
        files.ca = bundlePath
        let oneCA = try text(old.authorityCertificate)
        try write(String(repeating: oneCA, count: AuthorityBundle.authoritiesMax + 1), to: bundlePath)
        #expect(throws: TLSFileError.tooManyAuthorities(path: bundlePath, count: AuthorityBundle.authoritiesMax + 1, max: AuthorityBundle.authoritiesMax)) {
            try TLSMaterial.load(files, expected: nil)
        }
        try write(oneCA + text(new.files(for: .node(NodeID(1))).certificate), to: bundlePath)
        #expect(throws: TLSFileError.notAuthority(path: bundlePath)) { try TLSMaterial.load(files, expected: nil) }
        let client = old.files(for: .node(NodeID(1)))
        #expect {
            try ColonyClient(nodes: ["127.0.0.1:1"], tls: .files(ca: bundlePath, certificate: client.certificate, key: client.key))
        } throws: { error in
            "\(error)".contains("bundle.pem holds a certificate that is not a CA's")
        }
        try write(oneCA + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", to: bundlePath)
        #expect(throws: TLSFileError.self) { try TLSMaterial.load(files, expected: nil) }
    }

    @Test("a CA of the bundle outside its validity is left out; a bundle with none within it is refused")
    func expiredAuthorityInBundle() throws {
        let old = folder("old")
        let new = folder("new")
        defer { for certificates in [old, new] { try? FileManager.default.removeItem(atPath: certificates.directory) } }
        try old.makeAuthority(subject: "CN=Old", days: 1, force: false)
        try old.issue(.node(NodeID(1)), days: 1, force: false)
        try new.makeAuthority(subject: "CN=New", force: false)
        try new.issue(.node(NodeID(1)), force: false)
        let bundlePath = new.directory + "/bundle.pem"
        try write(try text(old.authorityCertificate) + text(new.authorityCertificate), to: bundlePath)
        var files = new.files(for: .node(NodeID(1)))
        files.ca = bundlePath
        let inTwoDays = Date().addingTimeInterval(2 * 86_400)
        let material = try TLSMaterial.load(files, expected: nil, now: inTwoDays)
        #expect(material.authorities.map { "\($0.subject)" } == ["CN=New"])
        var oldFiles = old.files(for: .node(NodeID(1)))
        oldFiles.ca = bundlePath
        #expect(throws: TLSFileError.self) { try TLSMaterial.load(oldFiles, expected: nil, now: inTwoDays) }
        #expect(throws: AuthorityBundle.Problem.self) { try AuthorityBundle.trusted(in: try text(old.authorityCertificate), now: inTwoDays) }
        #expect(try AuthorityBundle.trusted(in: try text(bundlePath), now: inTwoDays).count == 1)
        #expect {
            try TLSMaterial.load(old.files(for: .node(NodeID(1))), expected: nil, now: inTwoDays)
        } throws: { error in
            guard case TLSFileError.expired(let path, _) = error else { return false }
            return path == old.authorityCertificate
        }
    }

    /// How many certificates TLS reads from `pem`.
    func trustedCount(_ pem: [UInt8]) throws -> Int {
        try NIOSSLCertificate.fromPEMBytes(pem).count
    }
}
