import ColonyCore
import Foundation
import GRPCNIOTransportHTTP2
import NIOCertificateReloading
import NIOCore
import NIOSSL
import Synchronization

/// A node's TLS while it runs: the contexts made from its last good set of files, replaced
/// as a whole when the files change and the new set passes every check of `TLSMaterial`
/// (`refresh`, called on each poll). Every new connection uses the set current when it
/// opens; connections already open keep theirs.
///
/// The peer and admin ports make each connection's TLS handler from `current`. The gRPC
/// client port's transport fixes its TLS configuration when it opens, so it reaches the
/// current set through the two hooks it offers: a certificate reloader for the certificate
/// and key it presents (this type), and a verification callback for the certificates
/// clients present (`ClientCertificateCheck`, against the current CAs).
final class ReloadingNodeTLS: CertificateReloader, Sendable {
    /// The files the node reads.
    let files: TLSFiles
    /// The node the certificate must be issued to.
    let node: NodeID
    private let defects: Set<TLSDefect>
    private let state: Mutex<State>

    private struct State {
        var tls: NodeTLS
        var watch: TLSFileWatch
    }

    /// Reads and checks `files` at `now`: the node does not start on a set that fails.
    /// `defects` only in tests.
    init(files: TLSFiles, node: NodeID, defects: Set<TLSDefect> = [], now: Date) throws(TLSFileError) {
        let contents = try TLSFileContents(reading: files)
        let material = try TLSMaterial.check(contents, of: files, expected: .node(node), now: now)
        self.files = files
        self.node = node
        self.defects = defects
        state = Mutex(State(tls: try NodeTLS(material: material, files: files), watch: TLSFileWatch(taken: contents)))
    }

    /// The set in use now.
    var current: NodeTLS {
        state.withLock { $0.tls }
    }

    /// The certificate and key the gRPC client port presents on its next handshake.
    var sslContextConfigurationOverride: NIOSSLContextConfigurationOverride {
        current.clientAPIOverride
    }

    /// What the gRPC client port listens with: the current certificate and key, and clients'
    /// certificates checked against the current CAs.
    var clientAPI: HTTP2ServerTransport.Posix.TransportSecurity {
        let initial = current.material
        return .mTLS(
            certificateChain: [.bytes(initial.certificatePEM, format: .pem)], privateKey: .bytes(initial.keyPEM, format: .pem)
        ) { tls in
            tls.trustRoots = .certificates([.bytes(initial.authorityPEM, format: .pem)])
            tls.clientCertificateVerification = .noHostnameVerification
            tls.certificateReloader = self
            guard !defects.contains(.clientTrustFixed) else { return }
            tls.customVerificationCallback = { [self] presented, promise in
                let verified = ClientCertificateCheck.verifies(presented, against: current.material.authorities, now: Date())
                promise.succeed(verified ? .certificateVerified(VerificationMetadata(nil)) : .failed)
            }
        }
    }

    /// Reads the files and, if they changed and settled, checks them at `now` and takes them
    /// up or refuses them; what happened.
    func refresh(now: Date) -> TLSRefresh {
        let read: TLSFileWatch.Read
        do {
            read = .contents(try TLSFileContents(reading: files))
        } catch {
            read = .unreadable(error)
        }
        let step = state.withLock { $0.watch.observe(read) }
        guard step == .check else { return step == .settling ? .settling : .unchanged }
        let contents: TLSFileContents
        switch read {
        case .contents(let text):
            contents = text
        case .unreadable(let error):
            state.withLock { $0.watch.refuse(read) }
            return .refused(error)
        }
        do {
            let material = defects.contains(.changedFilesUnchecked)
                ? unchecked(contents) : try TLSMaterial.check(contents, of: files, expected: .node(node), now: now)
            let tls = try NodeTLS(material: material, files: files)
            state.withLock {
                $0.tls = tls
                $0.watch.took(contents)
            }
            return .reloaded(material)
        } catch {
            state.withLock { $0.watch.refuse(read) }
            return .refused(error)
        }
    }
}

extension ReloadingNodeTLS {
    /// `contents` taken as they are, for the defect `changedFilesUnchecked`: only TLS's own
    /// loading stands between them and the node's connections.
    private func unchecked(_ contents: TLSFileContents) -> TLSMaterial {
        TLSMaterial(
            authorityPEM: Array(contents.authorityText.utf8), authorities: [], certificatePEM: Array(contents.certificateText.utf8),
            keyPEM: Array(contents.keyText.utf8), identity: .node(node), notValidAfter: .distantFuture)
    }
}

/// What one poll of a node's TLS files came to.
enum TLSRefresh {
    /// The files hold the set in use (or one already refused).
    case unchanged
    /// The files changed since the last poll; they are checked once they read the same twice.
    case settling
    /// The files changed and passed: new connections use this material.
    case reloaded(TLSMaterial)
    /// The files changed and failed this check: the node keeps the set it had.
    case refused(TLSFileError)
}
