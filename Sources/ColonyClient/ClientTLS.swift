import Foundation
import GRPCNIOTransportHTTP2
import NIOSSL

/// How a client secures its connections to the nodes.
///
/// Nodes require TLS: the client checks each node's certificate against the colony's CAs
/// (and the address it dialled), and presents its own certificate, issued by one of them
/// (`colony certs client NAME`). The CA file may hold several CA certificates (the old and
/// the new CA while a colony rotates its CA); every one of them is trusted.
public enum ClientTLS: Hashable, Sendable {
    /// Mutual TLS from PEM files: the colony's CA certificates, this client's certificate
    /// and its private key.
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
        case .files:
            return try Self.transportSecurity(try contents())
        }
    }

    /// The text of the three files, read now; nil for plaintext.
    func contents() throws(ColonyError) -> ClientTLSContents? {
        switch self {
        case .plaintext:
            return nil
        case .files(let ca, let certificate, let key):
            return ClientTLSContents(
                authority: try Self.read(ca, role: "CA certificate"), certificate: try Self.read(certificate, role: "client certificate"),
                key: try Self.read(key, role: "client key"), files: self)
        }
    }

    /// The transport security made of `contents`, checked at `now`: the CA file holds CA
    /// certificates only, at most `AuthorityBundle.authoritiesMax`, at least one within its
    /// validity (those are trusted); the certificate file holds a PEM certificate, the key
    /// file a PEM private key.
    static func transportSecurity(
        _ contents: ClientTLSContents?, now: Date = Date()
    ) throws(ColonyError) -> HTTP2ClientTransport.Posix.TransportSecurity {
        guard let contents, case .files(let ca, let certificate, let key) = contents.files else { return .plaintext }
        let trusted: String
        do {
            trusted = try AuthorityBundle.pem(try AuthorityBundle.trusted(in: String(decoding: contents.authority, as: UTF8.self), now: now))
        } catch let problem as AuthorityBundle.Problem {
            throw .invalidArgument(Self.explain(problem, in: ca))
        } catch {
            throw .invalidArgument("\(ca) holds CA certificates that cannot be written again (\(error))")
        }
        guard (try? NIOSSLCertificate(bytes: contents.certificate, format: .pem)) != nil else {
            throw .invalidArgument("\(certificate) does not hold a PEM certificate; give the client-NAME.pem that `colony certs client NAME` wrote")
        }
        guard (try? NIOSSLPrivateKey(bytes: contents.key, format: .pem)) != nil else {
            throw .invalidArgument("\(key) does not hold a PEM private key; give the client-NAME.key written beside the certificate")
        }
        return .mTLS(
            certificateChain: [.bytes(contents.certificate, format: .pem)], privateKey: .bytes(contents.key, format: .pem)
        ) { tls in
            tls.trustRoots = .certificates([.bytes(Array(trusted.utf8), format: .pem)])
            tls.serverCertificateVerification = .fullVerification
        }
    }

    /// What is wrong with the CA file `path`, and what to give instead.
    private static func explain(_ problem: AuthorityBundle.Problem, in path: String) -> String {
        switch problem {
        case .notPEM:
            return "\(path) does not hold a PEM certificate, or holds something else too; give the colony's ca.pem"
        case .tooMany(let count):
            return "\(path) holds \(count) certificates, over \(AuthorityBundle.authoritiesMax); give the colony's CA (or the old and the new CA during a rotation)"
        case .notAuthority:
            return "\(path) holds a certificate that is not a CA's; give the ca.pem that `colony certs init` wrote"
        case .outsideValidity(let notValidBefore, let notValidAfter):
            return "no CA certificate in \(path) is valid now (the first one is valid from \(notValidBefore) to \(notValidAfter)); give the colony's current ca.pem"
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

/// The three TLS files of a client as read at one moment.
struct ClientTLSContents: Hashable, Sendable {
    /// The CA file's bytes.
    let authority: [UInt8]
    /// The certificate file's bytes.
    let certificate: [UInt8]
    /// The key file's bytes.
    let key: [UInt8]
    /// The files they were read from.
    let files: ClientTLS
}
