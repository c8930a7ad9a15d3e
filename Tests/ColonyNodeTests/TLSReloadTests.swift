import ColonyCore
import Foundation
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing
import X509
@testable import ColonyClient
@_spi(Testing) @testable import ColonyNode
@testable import colony

/// A running node's TLS files, polled: `ReloadingNodeTLS` over real files, no sockets.
@Suite("TLS reload: a changed set is taken up once settled and valid, refused once otherwise")
struct TLSReloadTests {
    /// A development folder with node 1 and the client `app`, and a second CA with the same,
    /// in a fresh folder removed by the caller.
    struct Folders {
        let old: CertificateFolder
        let new: CertificateFolder
        let root: String

        init() throws {
            root = NSTemporaryDirectory() + "colony-reload-\(UUID().uuidString)"
            old = CertificateFolder(directory: root + "/old")
            new = CertificateFolder(directory: root + "/new")
            try old.prepareDevelopment(nodes: [1])
            try new.makeAuthority(subject: "CN=Colony CA 2", force: false)
            for certificates in [old, new] {
                try certificates.issue(.node(NodeID(1)), force: true)
                try certificates.issue(.client("app"), force: true)
            }
        }

        /// The files a node reads: a copy of the old folder's node 1, which the test rewrites.
        var live: TLSFiles {
            TLSFiles(ca: root + "/ca.pem", certificate: root + "/node.pem", key: root + "/node.key")
        }
    }

    func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Copies `files`' certificate and key over the live ones.
    func install(_ files: TLSFiles, as live: TLSFiles) throws {
        try write(try text(files.certificate), to: live.certificate)
        try write(try text(files.key), to: live.key)
    }

    /// The leaf of `files`, as TLS hands it to a verification callback.
    func presented(_ files: TLSFiles) throws -> [NIOSSLCertificate] {
        [try NIOSSLCertificate(bytes: Array(try text(files.certificate).utf8), format: .pem)]
    }

    @Test("a rotation: bundle, reissue, old CA removed; each step taken up after two agreeing reads")
    func rotation() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let live = folders.live
        try write(try text(folders.old.authorityCertificate), to: live.ca)
        try install(folders.old.files(for: .node(NodeID(1))), as: live)
        let tls = try ReloadingNodeTLS(files: live, node: NodeID(1), now: Date())
        let oldApp = try presented(folders.old.files(for: .client("app")))
        let newApp = try presented(folders.new.files(for: .client("app")))
        let verifies: ([NIOSSLCertificate]) -> Bool = {
            ClientCertificateCheck.verifies($0, against: tls.current.material.authorities, now: Date())
        }
        #expect(verifies(oldApp) && !verifies(newApp))
        guard case .unchanged = tls.refresh(now: Date()) else { Issue.record("unchanged files reloaded"); return }

        try write(try text(folders.old.authorityCertificate) + text(folders.new.authorityCertificate), to: live.ca)
        guard case .settling = tls.refresh(now: Date()) else { Issue.record("a change was taken up at once"); return }
        guard case .reloaded(let bundled) = tls.refresh(now: Date()) else { Issue.record("the bundle was not taken up"); return }
        #expect(bundled.authorities.count == 2)
        #expect(verifies(oldApp) && verifies(newApp))

        try install(folders.new.files(for: .node(NodeID(1))), as: live)
        _ = tls.refresh(now: Date())
        guard case .reloaded(let reissued) = tls.refresh(now: Date()) else { Issue.record("the new certificate was not taken up"); return }
        #expect(reissued.certificatePEM == Array(try text(folders.new.files(for: .node(NodeID(1))).certificate).utf8))
        #expect(tls.sslContextConfigurationOverride.certificateChain?.count == 1)

        try write(try text(folders.new.authorityCertificate), to: live.ca)
        _ = tls.refresh(now: Date())
        guard case .reloaded = tls.refresh(now: Date()) else { Issue.record("the old CA's removal was not taken up"); return }
        #expect(!verifies(oldApp) && verifies(newApp))
        guard case .unchanged = tls.refresh(now: Date()) else { Issue.record("unchanged files reloaded"); return }
    }

    @Test("once the old CA is gone from the files, the client connections open under its certificates are closed, and only those")
    func untrustedConnectionsClosed() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let leaf: (CertificateFolder) throws -> Certificate = { folder in
            try Certificate(pemEncoded: try text(folder.files(for: .client("app")).certificate))
        }
        let authority: (CertificateFolder) throws -> Certificate = { folder in try Certificate(pemEncoded: try text(folder.authorityCertificate)) }
        let connections = IdentifiedConnections()
        let underOld = EmbeddedChannel()
        let underNew = EmbeddedChannel()
        for channel in [underOld, underNew] { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait() }
        connections.opened(underOld, by: .client("app"), presenting: try leaf(folders.old))
        connections.opened(underNew, by: .client("app"), presenting: try leaf(folders.new))

        #expect(connections.close(untrustedBy: [try authority(folders.old), try authority(folders.new)], now: Date()) == 0, "both CAs trusted")
        #expect(underOld.isActive && underNew.isActive)
        #expect(connections.close(untrustedBy: [try authority(folders.new)], now: Date()) == 1)
        #expect(!underOld.isActive && underNew.isActive)
    }

    @Test("a changed set that fails its checks is refused once and the node keeps its set, until the files change again")
    func refusal() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let live = folders.live
        try write(try text(folders.old.authorityCertificate), to: live.ca)
        try install(folders.old.files(for: .node(NodeID(1))), as: live)
        let tls = try ReloadingNodeTLS(files: live, node: NodeID(1), now: Date())
        let kept = tls.current.material.certificatePEM

        // The new CA's certificate while the CA file still holds only the old CA.
        try install(folders.new.files(for: .node(NodeID(1))), as: live)
        _ = tls.refresh(now: Date())
        guard case .refused(let error) = tls.refresh(now: Date()) else { Issue.record("a foreign certificate was taken up"); return }
        #expect(error == .notSignedByAuthority(certificate: live.certificate, authority: live.ca))
        #expect(tls.current.material.certificatePEM == kept)
        guard case .unchanged = tls.refresh(now: Date()) else { Issue.record("a refused set was checked again"); return }

        // A missing key is refused too, and the set in use stays.
        try FileManager.default.removeItem(atPath: live.key)
        _ = tls.refresh(now: Date())
        guard case .refused(.missing) = tls.refresh(now: Date()) else { Issue.record("a missing key was not refused"); return }
        #expect(tls.current.material.certificatePEM == kept)

        // The CA bundle arrives: the same certificate now passes.
        try write(try text(folders.new.files(for: .node(NodeID(1))).key), to: live.key)
        try write(try text(folders.old.authorityCertificate) + text(folders.new.authorityCertificate), to: live.ca)
        _ = tls.refresh(now: Date())
        guard case .reloaded = tls.refresh(now: Date()) else { Issue.record("a valid set was not taken up"); return }
    }

    /// What a node with `defects` makes of node 2's certificate and key in its files, after two polls.
    func anotherNodesCertificate(defects: Set<TLSDefect>) throws -> TLSRefresh {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let live = folders.live
        try write(try text(folders.old.authorityCertificate), to: live.ca)
        try install(folders.old.files(for: .node(NodeID(1))), as: live)
        let tls = try ReloadingNodeTLS(files: live, node: NodeID(1), defects: defects, now: Date())
        try install(try folders.old.issue(.node(NodeID(2)), force: true), as: live)
        _ = tls.refresh(now: Date())
        return tls.refresh(now: Date())
    }

    @Test("another node's certificate is refused; with the defect changedFilesUnchecked it replaces the node's own")
    func uncheckedNoticed() throws {
        guard case .refused(.wrongIdentity(_, .node(NodeID(2)), .node(NodeID(1)))) = try anotherNodesCertificate(defects: []) else {
            Issue.record("another node's certificate was not refused")
            return
        }
        guard case .reloaded = try anotherNodesCertificate(defects: [.changedFilesUnchecked]) else {
            Issue.record("with the checks off, another node's certificate was not taken up: the test would not notice them missing")
            return
        }
    }

    @Test("the watch checks a read only when it differs from the set in use and from the one refused, and agrees with the last")
    func watchSteps() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let a = try TLSFileContents(reading: folders.old.files(for: .node(NodeID(1))))
        let b = try TLSFileContents(reading: folders.new.files(for: .node(NodeID(1))))
        var watch = TLSFileWatch(taken: a)
        #expect(watch.observe(.contents(a)) == .unchanged)
        #expect(watch.observe(.contents(b)) == .settling)
        #expect(watch.observe(.contents(a)) == .unchanged)
        #expect(watch.observe(.contents(b)) == .settling)
        #expect(watch.observe(.contents(b)) == .check)
        watch.refuse(.contents(b))
        #expect(watch.observe(.contents(b)) == .unchanged)
        let missing = TLSFileWatch.Read.unreadable(.missing(path: "k", role: "private key"))
        #expect(watch.observe(missing) == .settling)
        #expect(watch.observe(missing) == .check)
        watch.took(b)
        #expect(watch.taken == b)
        #expect(watch.observe(.contents(b)) == .unchanged)
    }

    @Test("the client library reads its TLS files again at most every 2 s, and takes up a changed set only if it passes")
    func clientReload() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(atPath: folders.root) }
        let live = folders.live
        try write(try text(folders.old.authorityCertificate), to: live.ca)
        try install(folders.old.files(for: .client("app")), as: live)
        let start = ContinuousClock.now
        var reload = try ClientTLSReload(.files(ca: live.ca, certificate: live.certificate, key: live.key), now: start)

        try write(try text(folders.old.authorityCertificate) + text(folders.new.authorityCertificate), to: live.ca)
        reload.refresh(now: start + .seconds(1))
        #expect(reload.generation == 0)
        reload.refresh(now: start + .seconds(2))
        #expect(reload.generation == 1)
        reload.refresh(now: start + .seconds(4))
        #expect(reload.generation == 1)

        try write("not a certificate", to: live.certificate)
        reload.refresh(now: start + .seconds(6))
        #expect(reload.generation == 1)
        try write(String(repeating: try text(folders.new.authorityCertificate), count: AuthorityBundle.authoritiesMax + 1), to: live.ca)
        try install(folders.new.files(for: .client("app")), as: live)
        reload.refresh(now: start + .seconds(8))
        #expect(reload.generation == 1)
        try write(try text(folders.new.authorityCertificate), to: live.ca)
        reload.refresh(now: start + .seconds(10))
        #expect(reload.generation == 2)
    }
}
