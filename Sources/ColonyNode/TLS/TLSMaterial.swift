import Foundation
import X509

/// The three TLS files of a node or a client: the colony's CA certificate, a certificate the
/// CA issued, and that certificate's private key, all PEM.
public struct TLSFiles: Codable, Hashable, Sendable {
    /// The colony CA's certificate (`ca.pem`).
    public var ca: String
    /// This node's or client's certificate (`node-ID.pem`, `client-NAME.pem`).
    public var certificate: String
    /// That certificate's private key (`node-ID.key`, `client-NAME.key`).
    public var key: String

    /// Names the three files.
    public init(ca: String, certificate: String, key: String) {
        self.ca = ca
        self.certificate = certificate
        self.key = key
    }
}

/// TLS files read and checked: each is PEM, the key is the certificate's, the CA is a CA and
/// signed the certificate, both are within their validity, and the certificate names the
/// identity expected of it.
public struct TLSMaterial: Sendable {
    /// The largest PEM file read; a bigger one is not one of ours.
    static let fileBytesMax = 1 << 20

    /// The CA certificate, PEM.
    public let authorityPEM: [UInt8]
    /// The certificate, PEM.
    public let certificatePEM: [UInt8]
    /// The private key, PEM.
    public let keyPEM: [UInt8]
    /// Whom the certificate was issued to.
    public let identity: CertificateIdentity
    /// When the certificate stops being valid.
    public let notValidAfter: Date

    /// Reads `files` and checks them at `now`; `expected`, if given, is the identity the
    /// certificate must carry.
    public static func load(_ files: TLSFiles, expected: CertificateIdentity?, now: Date = Date()) throws(TLSFileError) -> TLSMaterial {
        let authorityText = try read(files.ca, role: "CA certificate")
        let certificateText = try read(files.certificate, role: "certificate")
        let keyText = try read(files.key, role: "private key")
        let authority = try parseCertificate(authorityText, path: files.ca)
        guard case .isCertificateAuthority = try? authority.extensions.basicConstraints else {
            throw .notAuthority(path: files.ca)
        }
        try checkValidity(authority, path: files.ca, now: now)
        let certificate = try parseCertificate(certificateText, path: files.certificate)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw .notPEM(path: files.key, expected: "a PEM private key")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .keyMismatch(certificate: files.certificate, key: files.key)
        }
        guard certificate.issuer == authority.subject,
              authority.publicKey.isValidSignature(certificate.signature, for: certificate)
        else {
            throw .notSignedByAuthority(certificate: files.certificate, authority: files.ca)
        }
        try checkValidity(certificate, path: files.certificate, now: now)
        guard let identity = CertificateIdentity(certificate: certificate) else {
            throw .noIdentity(path: files.certificate)
        }
        if let expected, identity != expected {
            throw .wrongIdentity(path: files.certificate, found: identity, expected: expected)
        }
        return TLSMaterial(
            authorityPEM: Array(authorityText.utf8), certificatePEM: Array(certificateText.utf8), keyPEM: Array(keyText.utf8),
            identity: identity, notValidAfter: certificate.notValidAfter)
    }

    /// The text of a PEM file, or why it cannot be had.
    static func read(_ path: String, role: String) throws(TLSFileError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missing(path: path, role: role)
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a folder, not a file") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count <= fileBytesMax else {
            throw .notPEM(path: path, expected: "a PEM \(role) (it is \(data.count) bytes, over \(fileBytesMax))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The certificate in PEM `text`, read from `path`.
    static func parseCertificate(_ text: String, path: String) throws(TLSFileError) -> Certificate {
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw .notPEM(path: path, expected: "a PEM certificate")
        }
    }

    /// Refuses a certificate outside its validity at `now`.
    static func checkValidity(_ certificate: Certificate, path: String, now: Date) throws(TLSFileError) {
        guard now >= certificate.notValidBefore else { throw .notYetValid(path: path, notValidBefore: certificate.notValidBefore) }
        guard now <= certificate.notValidAfter else { throw .expired(path: path, notValidAfter: certificate.notValidAfter) }
    }
}
