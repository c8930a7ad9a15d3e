import SwiftASN1
import X509

/// The subject an operator names for a CA, written as `CN=Colony CA 2027, O=Example, C=DE`:
/// comma-separated `ATTRIBUTE=VALUE` pairs of the attributes CN, O, OU, L, ST and C, most
/// specific first as RFC 4514 writes a name (the certificate holds them in reverse order). The common name is required, so every CA of a rotation can be told
/// apart by it; values hold no commas, and each is at most `valueBytesMax` bytes (the X.520
/// upper bound of a common name), a country two letters.
public enum CertificateSubject {
    /// The longest subject read, in bytes.
    public static let textBytesMax = 1_024
    /// The longest value of one attribute, in bytes.
    public static let valueBytesMax = 64

    /// The attribute types an operator may name, by their short names.
    static let attributeTypes: [String: ASN1ObjectIdentifier] = [
        "CN": .RDNAttributeType.commonName,
        "O": .RDNAttributeType.organizationName,
        "OU": .RDNAttributeType.organizationalUnitName,
        "L": .RDNAttributeType.localityName,
        "ST": .RDNAttributeType.stateOrProvinceName,
        "C": .RDNAttributeType.countryName,
    ]

    /// The distinguished name `text` writes, or why it cannot be read.
    public static func parse(_ text: String) throws(CertificateRequestError) -> DistinguishedName {
        guard text.utf8.count <= textBytesMax else {
            throw .invalidSubject(String(text.prefix(40)) + "…", reason: "it is over \(textBytesMax) bytes")
        }
        var attributes: [RelativeDistinguishedName.Attribute] = []
        var namesCommonName = false
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].trimmingSpaces.uppercased()
            guard pair.count == 2, let type = attributeTypes[name] else {
                throw .invalidSubject(text, reason: "\"\(part.trimmingSpaces)\" is not ATTRIBUTE=VALUE with a known attribute")
            }
            let value = pair[1].trimmingSpaces
            guard !value.isEmpty, value.utf8.count <= valueBytesMax, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidSubject(text, reason: "the value of \(name) must be 1 to \(valueBytesMax) bytes of printable text")
            }
            if name == "C" {
                guard value.utf8.count == 2, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isUppercase }) else {
                    throw .invalidSubject(text, reason: "a country (C) is two capital letters, such as DE")
                }
                do {
                    attributes.append(try .init(type: type, printableString: value))
                } catch {
                    throw .invalidSubject(text, reason: "the country \(value) is not printable")
                }
            } else {
                attributes.append(.init(type: type, utf8String: value))
            }
            namesCommonName = namesCommonName || name == "CN"
        }
        guard namesCommonName else { throw .invalidSubject(text, reason: "it names no common name (CN=...)") }
        return DistinguishedName(attributes.reversed().map { RelativeDistinguishedName($0) })
    }
}

extension Substring {
    /// This text without its leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
