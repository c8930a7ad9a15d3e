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
    /// Mutual TLS with the colony's CA, from the files the node watches.
    case tls(ReloadingNodeTLS)

    /// The security `config` asks for, its files read and checked; `defects` only in tests.
    init(config: NodeConfig, defects: Set<TLSDefect> = [], now: Date = Date()) throws {
        guard let files = config.tls else {
            self = .plaintext
            return
        }
        self = .tls(try ReloadingNodeTLS(files: files, node: NodeID(config.node), defects: defects, now: now))
    }

    /// Whether peers must prove who they are with a certificate.
    var authenticatesPeers: Bool {
        switch self {
        case .plaintext: return false
        case .tls: return true
        }
    }

    /// What the admin endpoint's next connection is served with when the configuration asks
    /// for TLS: the peer port's, which requires a certificate of the colony's CA; nil without
    /// TLS.
    var adminContext: NIOSSLContext? {
        switch self {
        case .plaintext: return nil
        case .tls(let tls): return tls.current.peerServerContext
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
