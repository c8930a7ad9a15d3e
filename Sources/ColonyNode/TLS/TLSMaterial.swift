import ColonyClient
import Foundation
import SwiftASN1
import X509

/// The three TLS files of a node or a client: the colony's CA certificates, a certificate a
/// CA issued, and that certificate's private key, all PEM.
public struct TLSFiles: Codable, Hashable, Sendable {
    /// The colony CA's certificate (`ca.pem`), or a bundle of CA certificates, one after the
    /// other, while a colony rotates its CA.
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

/// TLS files read and checked: each is PEM, the key is the certificate's, the CA file holds
/// CA certificates only (at most `AuthorityBundle.authoritiesMax`), at least one of them within its validity,
/// one of those signed the certificate, the certificate is within its validity and names the
/// identity expected of it.
///
/// A CA file holds several CAs while a colony rotates its CA: the old one and the new one,
/// so that certificates of either verify. Every CA of the file within its validity is
/// trusted, for peers and for clients alike; one outside it is left out.
public struct TLSMaterial: Sendable {
    /// The largest PEM file read; a bigger one is not one of ours.
    static let fileBytesMax = 1 << 20

    /// The trusted CA certificates (those of the CA file within their validity), PEM, one
    /// after the other.
    public let authorityPEM: [UInt8]
    /// The trusted CA certificates.
    public let authorities: [Certificate]
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
        try check(try TLSFileContents(reading: files), of: files, expected: expected, now: now)
    }

    /// Checks the `contents` read from `files` at `now`; `expected`, if given, is the identity
    /// the certificate must carry.
    static func check(
        _ contents: TLSFileContents, of files: TLSFiles, expected: CertificateIdentity?, now: Date
    ) throws(TLSFileError) -> TLSMaterial {
        let authorityText = contents.authorityText
        let certificateText = contents.certificateText
        let keyText = contents.keyText
        let authorities = try authorities(in: authorityText, path: files.ca, now: now)
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
        guard signer(of: certificate, among: authorities) != nil else {
            throw .notSignedByAuthority(certificate: files.certificate, authority: files.ca)
        }
        try checkValidity(certificate, path: files.certificate, now: now)
        guard let identity = CertificateIdentity(certificate: certificate) else {
            throw .noIdentity(path: files.certificate)
        }
        if let expected, identity != expected {
            throw .wrongIdentity(path: files.certificate, found: identity, expected: expected)
        }
        let trustedText: String
        do {
            trustedText = try AuthorityBundle.pem(authorities)
        } catch {
            throw .notPEM(path: files.ca, expected: "CA certificates that can be written again (\(error))")
        }
        return TLSMaterial(
            authorityPEM: Array(trustedText.utf8), authorities: authorities, certificatePEM: Array(certificateText.utf8), keyPEM: Array(keyText.utf8),
            identity: identity, notValidAfter: certificate.notValidAfter)
    }

    /// The CA certificates in the PEM `text` of the CA file `path` that are within their
    /// validity at `now` (`AuthorityBundle`).
    static func authorities(in text: String, path: String, now: Date) throws(TLSFileError) -> [Certificate] {
        do {
            return try AuthorityBundle.trusted(in: text, now: now)
        } catch {
            switch error {
            case .notPEM:
                throw .notPEM(path: path, expected: "PEM CA certificates only")
            case .tooMany(let count):
                throw .tooManyAuthorities(path: path, count: count, max: AuthorityBundle.authoritiesMax)
            case .notAuthority:
                throw .notAuthority(path: path)
            case .outsideValidity(let notValidBefore, let notValidAfter):
                throw now < notValidBefore
                    ? .notYetValid(path: path, notValidBefore: notValidBefore) : .expired(path: path, notValidAfter: notValidAfter)
            }
        }
    }

    /// The CA of `authorities` that signed `certificate`, or nil if none did.
    public static func signer(of certificate: Certificate, among authorities: [Certificate]) -> Certificate? {
        authorities.first { authority in
            certificate.issuer == authority.subject && authority.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
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

/// The text of a node's or client's three TLS files as read at one moment, before any check:
/// what the node compares to see whether its files changed.
struct TLSFileContents: Hashable, Sendable {
    /// The CA file's text.
    let authorityText: String
    /// The certificate file's text.
    let certificateText: String
    /// The key file's text.
    let keyText: String

    /// Reads the three `files`, each at most `TLSMaterial.fileBytesMax` bytes.
    init(reading files: TLSFiles) throws(TLSFileError) {
        authorityText = try TLSMaterial.read(files.ca, role: "CA certificate")
        certificateText = try TLSMaterial.read(files.certificate, role: "certificate")
        keyText = try TLSMaterial.read(files.key, role: "private key")
    }
}
