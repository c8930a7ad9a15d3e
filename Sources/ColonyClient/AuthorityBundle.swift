import Foundation
import SwiftASN1
import X509

/// The CA certificates of a colony's CA file: one, or several one after the other while the
/// colony rotates its CA (the old and the new). Nodes and clients read it alike: every
/// certificate in it must be a CA's, they are at most `authoritiesMax`, and those within
/// their validity are trusted; a file with none within it is refused.
public enum AuthorityBundle {
    /// The most CA certificates a CA file may hold: a rotation needs two.
    public static let authoritiesMax = 8

    /// Why a CA file cannot be used.
    public enum Problem: Error, Hashable, Sendable {
        /// It holds no PEM certificate, or something else than certificates.
        case notPEM
        /// It holds more than `authoritiesMax` certificates.
        case tooMany(count: Int)
        /// One of its certificates is not a CA's.
        case notAuthority
        /// None of its certificates is within its validity; the first one's validity.
        case outsideValidity(notValidBefore: Date, notValidAfter: Date)
    }

    /// The CA certificates in the PEM `text` of a CA file that are within their validity at `now`.
    public static func trusted(in text: String, now: Date) throws(Problem) -> [Certificate] {
        guard let documents = try? PEMDocument.parseMultiple(pemString: text), !documents.isEmpty else { throw .notPEM }
        guard documents.count <= authoritiesMax else { throw .tooMany(count: documents.count) }
        var valid: [Certificate] = []
        var first: Certificate?
        for document in documents {
            guard document.discriminator == "CERTIFICATE", let authority = try? Certificate(pemDocument: document) else {
                throw .notPEM
            }
            guard case .isCertificateAuthority = try? authority.extensions.basicConstraints else { throw .notAuthority }
            first = first ?? authority
            if authority.notValidBefore <= now && now <= authority.notValidAfter {
                valid.append(authority)
            }
        }
        if valid.isEmpty, let first {
            throw .outsideValidity(notValidBefore: first.notValidBefore, notValidAfter: first.notValidAfter)
        }
        return valid
    }

    /// `authorities` as PEM, one after the other.
    public static func pem(_ authorities: [Certificate]) throws -> String {
        try authorities.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
    }
}
