import Crypto
import Foundation
import SwiftASN1
import X509

/// A colony's certificate authority: a P-256 key and its self-signed certificate, which
/// signs the certificates of the colony's nodes and clients. Every node trusts only this CA,
/// for peers and for clients alike.
///
/// Node certificates serve and connect (server and client authentication), carry the node's
/// identity (`CertificateIdentity`) and the hosts it answers on (127.0.0.1, ::1, localhost
/// and any others asked for). Client certificates only connect, and carry the client's name.
public struct CertificateAuthority: Sendable {
    /// How many days the CA's own certificate is valid unless asked otherwise.
    public static let authorityValidityDays = 10 * 365
    /// How many days a node's or client's certificate is valid unless asked otherwise.
    public static let leafValidityDays = 2 * 365
    /// The longest validity `make` and `issue` accept, in days (100 years).
    public static let validityDaysMax = 36_500
    /// How far back a new certificate's validity starts, for clocks a little behind.
    static let clockSkewAllowance: TimeInterval = 3_600
    /// The hosts every node certificate names, so a colony on one machine verifies.
    public static let loopbackHosts = ["127.0.0.1", "::1", "localhost"]

    /// The CA's certificate.
    public let certificate: Certificate
    let key: Certificate.PrivateKey

    /// A new CA whose certificate names `subject` (as `CertificateSubject` reads it, such as
    /// `CN=Colony CA 2027, O=Example`), valid from `now` for `days` days.
    public static func make(
        subject: DistinguishedName, days: Int = authorityValidityDays, now: Date = Date()
    ) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - clockSkewAllowance, notValidAfter: now + (try validity(days: days)),
            issuer: subject, subject: subject,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: key)
        return CertificateAuthority(certificate: certificate, key: key)
    }

    /// The CA kept in `certificatePath` and `keyPath` (PEM), checked: a CA certificate,
    /// within its validity at `now`, and the key that matches it.
    public static func load(certificatePath: String, keyPath: String, now: Date = Date()) throws(TLSFileError) -> CertificateAuthority {
        let certificate = try TLSMaterial.parseCertificate(
            try TLSMaterial.read(certificatePath, role: "CA certificate"), path: certificatePath)
        guard case .isCertificateAuthority = try? certificate.extensions.basicConstraints else {
            throw .notAuthority(path: certificatePath)
        }
        try TLSMaterial.checkValidity(certificate, path: certificatePath, now: now)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: try TLSMaterial.read(keyPath, role: "CA key"))
        } catch let error as TLSFileError {
            throw error
        } catch {
            throw .notPEM(path: keyPath, expected: "a PEM private key")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .keyMismatch(certificate: certificatePath, key: keyPath)
        }
        return CertificateAuthority(certificate: certificate, key: key)
    }

    private init(certificate: Certificate, key: Certificate.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// The CA's certificate, PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// The CA's private key, PEM (PKCS #8).
    public var keyPEM: String {
        get throws { try key.serializeAsPEM().pemString }
    }

    /// A new CA named `name`: its subject is `CN=name, O=Colony`.
    public static func make(name: String, days: Int = authorityValidityDays, now: Date = Date()) throws -> CertificateAuthority {
        try make(subject: try DistinguishedName { OrganizationName("Colony"); CommonName(name) }, days: days, now: now)
    }

    /// `days` as a time interval, refused outside 1...`validityDaysMax`.
    static func validity(days: Int) throws(CertificateRequestError) -> TimeInterval {
        guard (1...validityDaysMax).contains(days) else { throw .invalidValidity(days: days) }
        return TimeInterval(days) * 86_400
    }

    /// A new key and a certificate for `identity` signed by this CA, valid from `now` for
    /// `days` days. A node's certificate names `CertificateAuthority.loopbackHosts` and
    /// `hosts`; a client's names no host.
    public func issue(
        _ identity: CertificateIdentity, hosts: [String] = [], days: Int = leafValidityDays, now: Date = Date()
    ) throws -> IssuedCertificate {
        let validity = try Self.validity(days: days)
        let leafKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        var names: [GeneralName] = [.uniformResourceIdentifier(identity.uri)]
        let usages: [ExtendedKeyUsage.Usage]
        switch identity {
        case .node:
            var seen: Set<String> = []
            for host in Self.loopbackHosts + hosts where seen.insert(host).inserted {
                names.append(try Self.generalName(host: host))
            }
            usages = [.serverAuth, .clientAuth]
        case .client:
            usages = [.clientAuth]
        }
        let subject = try DistinguishedName {
            OrganizationName("Colony")
            CommonName(identity.description.replacingOccurrences(of: "\"", with: ""))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: leafKey.publicKey,
            notValidBefore: now - Self.clockSkewAllowance, notValidAfter: now + validity,
            issuer: self.certificate.subject, subject: subject,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(usages)
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: key)
        return IssuedCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: try leafKey.serializeAsPEM().pemString)
    }

    /// The subject alternative name of `host`: an IP address if it is one, else a DNS name.
    static func generalName(host: String) throws(CertificateRequestError) -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { ArraySlice($0) }))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { ArraySlice($0) }))
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let validLabel: (Substring) -> Bool = { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
        guard host.utf8.count <= 253, labels.allSatisfy(validLabel) else {
            throw .invalidHost(host)
        }
        return .dnsName(host)
    }
}

/// A certificate and its new private key, both PEM.
public struct IssuedCertificate: Sendable {
    /// The certificate, PEM.
    public var certificatePEM: String
    /// Its private key, PEM (PKCS #8); keep it secret.
    public var keyPEM: String
}

/// Why a certificate could not be made as asked.
public enum CertificateRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A host is neither an IP address nor a DNS name.
    case invalidHost(String)
    /// A validity outside 1 day to `CertificateAuthority.validityDaysMax` days.
    case invalidValidity(days: Int)
    /// A subject that `CertificateSubject` cannot read; the reason says which part.
    case invalidSubject(String, reason: String)

    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "\"\(host)\" is neither an IP address nor a DNS name (letters, digits and dashes in dot-separated labels)"
        case .invalidValidity(let days):
            return "a validity of \(days) days is not between 1 and \(CertificateAuthority.validityDaysMax) days"
        case .invalidSubject(let subject, let reason):
            return "the subject \"\(subject)\" cannot be read: \(reason); write it as CN=NAME, O=ORGANIZATION (attributes CN, O, OU, L, ST, C)"
        }
    }
}
