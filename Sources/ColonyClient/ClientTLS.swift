import Foundation
import GRPCNIOTransportHTTP2
import NIOSSL

/// How a client secures its connections to the nodes.
///
/// Nodes require TLS: the client checks each node's certificate against the colony's CA
/// (and the address it dialled), and presents its own certificate, issued by that CA
/// (`colony certs client NAME`).
public enum ClientTLS: Hashable, Sendable {
    /// Mutual TLS from PEM files: the colony's CA certificate, this client's certificate and
    /// its private key.
    case files(ca: String, certificate: String, key: String)
    /// No TLS, only for nodes whose configuration says `"plaintext": true` (tests).
    case plaintext

    /// The largest PEM file read.
    static let fileBytesMax = 1 << 20

    /// The gRPC transport security, the files read and checked now so that a wrong path or
    /// file fails at once instead of at every connection.
    func transportSecurity() throws(ColonyError) -> HTTP2ClientTransport.Posix.TransportSecurity {
        switch self {
        case .plaintext:
            return .plaintext
        case .files(let ca, let certificate, let key):
            let authorityPEM = try Self.read(ca, role: "CA certificate")
            let certificatePEM = try Self.read(certificate, role: "client certificate")
            let keyPEM = try Self.read(key, role: "client key")
            guard (try? NIOSSLCertificate(bytes: authorityPEM, format: .pem)) != nil else {
                throw .invalidArgument("\(ca) does not hold a PEM certificate; give the colony's ca.pem")
            }
            guard (try? NIOSSLCertificate(bytes: certificatePEM, format: .pem)) != nil else {
                throw .invalidArgument("\(certificate) does not hold a PEM certificate; give the client-NAME.pem that `colony certs client NAME` wrote")
            }
            guard (try? NIOSSLPrivateKey(bytes: keyPEM, format: .pem)) != nil else {
                throw .invalidArgument("\(key) does not hold a PEM private key; give the client-NAME.key written beside the certificate")
            }
            return .mTLS(
                certificateChain: [.bytes(certificatePEM, format: .pem)], privateKey: .bytes(keyPEM, format: .pem)
            ) { tls in
                tls.trustRoots = .certificates([.bytes(authorityPEM, format: .pem)])
                tls.serverCertificateVerification = .fullVerification
            }
        }
    }

    private static func read(_ path: String, role: String) throws(ColonyError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .invalidArgument("the \(role) \(path) does not exist; `colony certs` makes one")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .invalidArgument("cannot read the \(role) \(path): \(error.localizedDescription)")
        }
        guard data.count <= fileBytesMax else {
            throw .invalidArgument("the \(role) \(path) is \(data.count) bytes, too big for a PEM file")
        }
        return Array(data)
    }
}
