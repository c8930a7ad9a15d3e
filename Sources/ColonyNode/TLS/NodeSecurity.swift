import ColonyCore
import Foundation
import GRPCNIOTransportHTTP2
import NIOCore
import NIOSSL

/// How a node secures its connections: mutual TLS against the colony's CA (the rule), or
/// plaintext (tests only, when the configuration says `"plaintext": true`).
///
/// With TLS, peers run TLS 1.3 and both ends present node certificates the CA issued; the
/// node then binds the certificate to the peer: a connecting node's hello must name the node
/// its certificate was issued to, and a node it connects to must present the certificate of
/// the node it meant to reach. Clients run gRPC over TLS and must present a certificate the
/// CA issued (a client's or a node's); they check the node's certificate against the CA and
/// the address they dialled.
enum NodeSecurity: Sendable {
    /// No encryption and no authentication: for tests only.
    case plaintext
    /// Mutual TLS with the colony's CA.
    case tls(NodeTLS)

    /// The security `config` asks for, its files read and checked.
    init(config: NodeConfig, now: Date = Date()) throws {
        guard let files = config.tls else {
            self = .plaintext
            return
        }
        let material = try TLSMaterial.load(files, expected: .node(NodeID(config.node)), now: now)
        self = .tls(try NodeTLS(material: material, files: files))
    }

    /// Whether peers must prove who they are with a certificate.
    var authenticatesPeers: Bool {
        switch self {
        case .plaintext: return false
        case .tls: return true
        }
    }

    /// What the admin endpoint listens with when the configuration asks for TLS: the peer
    /// port's, which requires a certificate of the colony's CA; nil without TLS.
    var adminContext: NIOSSLContext? {
        switch self {
        case .plaintext: return nil
        case .tls(let tls): return tls.peerServerContext
        }
    }

    /// What the gRPC client API listens with.
    var clientAPI: HTTP2ServerTransport.Posix.TransportSecurity {
        switch self {
        case .plaintext: return .plaintext
        case .tls(let tls): return tls.clientAPI
        }
    }
}

/// A node's TLS contexts, made once from its checked material.
final class NodeTLS: Sendable {
    /// TLS for connections other nodes open to this one.
    let peerServerContext: NIOSSLContext
    /// TLS for connections this node opens to other nodes.
    let peerClientContext: NIOSSLContext
    /// TLS for the gRPC client API.
    let clientAPI: HTTP2ServerTransport.Posix.TransportSecurity

    init(material: TLSMaterial, files: TLSFiles) throws(TLSFileError) {
        let authority: NIOSSLCertificate
        let certificate: NIOSSLCertificate
        let key: NIOSSLPrivateKey
        do {
            authority = try NIOSSLCertificate(bytes: material.authorityPEM, format: .pem)
            certificate = try NIOSSLCertificate(bytes: material.certificatePEM, format: .pem)
            key = try NIOSSLPrivateKey(bytes: material.keyPEM, format: .pem)
        } catch {
            throw .notPEM(path: "\(files.certificate) or \(files.key)", expected: "a certificate and key TLS can load (\(error))")
        }
        var server = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key), trustRoots: .certificates([authority]))
        server.minimumTLSVersion = .tlsv13
        server.certificateVerification = .noHostnameVerification
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = [.certificate(certificate)]
        client.privateKey = .privateKey(key)
        client.trustRoots = .certificates([authority])
        client.minimumTLSVersion = .tlsv13
        // The peer is checked by the identity its certificate carries, not by host name.
        client.certificateVerification = .noHostnameVerification
        do {
            peerServerContext = try NIOSSLContext(configuration: server)
            peerClientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw .notPEM(path: "\(files.certificate) or \(files.key)", expected: "a certificate and key TLS can load (\(error))")
        }
        clientAPI = .mTLS(
            certificateChain: [.bytes(material.certificatePEM, format: .pem)],
            privateKey: .bytes(material.keyPEM, format: .pem)
        ) { tls in
            tls.trustRoots = .certificates([.bytes(material.authorityPEM, format: .pem)])
            tls.clientCertificateVerification = .noHostnameVerification
        }
    }
}
