import GRPCCore
import GRPCNIOTransportHTTP2
import X509

/// Who is calling, for the limits the node keeps per client: the identity the client's
/// certificate names (`client "app"`, `node n3`), or, without TLS, its IP address. A client
/// cannot dodge the limit by opening more connections.
enum ClientIdentity {
    /// The key of the client of the call `context` belongs to.
    static func key(of context: ServerContext) -> String {
        if let transport = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
           let certificate = transport.peerCertificate, let identity = CertificateIdentity(certificate: certificate) {
            return "\(identity)"
        }
        return "address " + host(ofPeer: context.remotePeer)
    }

    /// The host part of a gRPC peer description: `ipv4:127.0.0.1:5000` gives `127.0.0.1`,
    /// `ipv6:[::1]:5000` gives `[::1]`; anything else is kept whole.
    static func host(ofPeer peer: String) -> String {
        let kinds = ["ipv4:", "ipv6:"]
        guard let kind = kinds.first(where: { peer.hasPrefix($0) }), let colon = peer.lastIndex(of: ":") else { return peer }
        let start = peer.index(peer.startIndex, offsetBy: kind.count)
        return start < colon ? String(peer[start..<colon]) : peer
    }
}
