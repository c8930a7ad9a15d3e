import Foundation

/// Why a node's (or the CA's) TLS files cannot be used. Each case names the file and says
/// what to do; `colony certs` makes files that pass every check.
public enum TLSFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not exist.
    case missing(path: String, role: String)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The file does not hold what it should, in PEM.
    case notPEM(path: String, expected: String)
    /// The private key is not the key of the certificate.
    case keyMismatch(certificate: String, key: String)
    /// The CA file holds a certificate that is not a CA's.
    case notAuthority(path: String)
    /// The CA file holds more CA certificates than `AuthorityBundle.authoritiesMax`.
    case tooManyAuthorities(path: String, count: Int, max: Int)
    /// The certificate was not signed by the colony's CA.
    case notSignedByAuthority(certificate: String, authority: String)
    /// The certificate's validity ended.
    case expired(path: String, notValidAfter: Date)
    /// The certificate's validity has not begun.
    case notYetValid(path: String, notValidBefore: Date)
    /// The certificate names no colony identity (see `CertificateIdentity`).
    case noIdentity(path: String)
    /// The certificate was issued to someone else than the one that presents it.
    case wrongIdentity(path: String, found: CertificateIdentity, expected: CertificateIdentity)

    public var description: String {
        switch self {
        case .missing(let path, let role):
            return "the \(role) \(path) does not exist; make certificates with `colony certs init --dir DIR` and `colony certs node ID --dir DIR`"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .notPEM(let path, let expected):
            return "\(path) does not hold \(expected); give the file `colony certs` wrote"
        case .keyMismatch(let certificate, let key):
            return "the key \(key) is not the key of the certificate \(certificate); give the .key file written beside that certificate"
        case .notAuthority(let path):
            return "\(path) is not a CA certificate; give the ca.pem that `colony certs init` wrote"
        case .tooManyAuthorities(let path, let count, let max):
            return "\(path) holds \(count) CA certificates, over \(max); during a rotation it needs only the old CA and the new one"
        case .notSignedByAuthority(let certificate, let authority):
            return "the certificate \(certificate) was not signed by any CA within its validity in \(authority); issue it again with `colony certs` from that CA's folder"
        case .expired(let path, let notValidAfter):
            return "the certificate \(path) expired on \(Self.format(notValidAfter)); issue a new one with `colony certs ... --force`"
        case .notYetValid(let path, let notValidBefore):
            return "the certificate \(path) is not valid before \(Self.format(notValidBefore)); check this machine's clock"
        case .noIdentity(let path):
            return "the certificate \(path) names no node or client of a colony; issue it with `colony certs node ID` or `colony certs client NAME`"
        case .wrongIdentity(let path, let found, let expected):
            return "the certificate \(path) was issued to \(found), not to \(expected); give \(expected)'s certificate"
        }
    }

    private static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
