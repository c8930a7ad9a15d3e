import Foundation
import NIOSSL
import X509

/// The check of a client's certificate on the gRPC client port, made by the node itself so
/// that the CAs it trusts can change while it listens (the transport's TLS configuration is
/// fixed when the port opens).
///
/// It asks what TLS asks of a certificate from the colony's CAs, which issue leaves directly:
/// the first certificate presented is no CA's, is within its validity, may authenticate a
/// client (if it names its usages), and was signed by one of the trusted CAs, itself within
/// its validity. A node certificate passes as well: it may authenticate a client too.
enum ClientCertificateCheck {
    /// Whether `presented` (leaf first) verifies against `authorities` at `now`.
    static func verifies(_ presented: [NIOSSLCertificate], against authorities: [Certificate], now: Date) -> Bool {
        guard let leaf = presented.first, let certificate = try? Certificate(derEncoded: leaf.toDERBytes()) else { return false }
        return verifies(certificate, against: authorities, now: now)
    }

    /// Whether the leaf `certificate` verifies against `authorities` at `now`.
    static func verifies(_ certificate: Certificate, against authorities: [Certificate], now: Date) -> Bool {
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { return false }
        guard isValid(certificate, at: now) else { return false }
        if let usages = try? certificate.extensions.extendedKeyUsage, !usages.contains(.clientAuth) { return false }
        guard let signer = TLSMaterial.signer(of: certificate, among: authorities) else { return false }
        return isValid(signer, at: now)
    }

    private static func isValid(_ certificate: Certificate, at now: Date) -> Bool {
        certificate.notValidBefore <= now && now <= certificate.notValidAfter
    }
}
