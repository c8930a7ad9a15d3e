/// Who a request comes from, as authorization sees it: the identity the caller's certificate
/// names (`urn:colony:node:ID`, `urn:colony:client:NAME`), or nobody, for a connection that
/// carried no certificate (a node configured without TLS).
///
/// The colony's CA signs only what `colony certs` makes, so a certificate that verifies and
/// names one of these URNs was issued to that node or client; the node reads the URN from
/// the certificate it verified (`CertificateIdentity`), never from the request.
public enum Identity: Hashable, Sendable, CustomStringConvertible {
    /// A node of the colony, by id (from 1).
    case node(UInt32)
    /// A client of the colony, by name (`isValidClientName`).
    case client(String)
    /// A connection without a certificate.
    case anonymous

    /// The URN prefix of a node's identity.
    public static let nodePrefix = "urn:colony:node:"
    /// The URN prefix of a client's identity.
    public static let clientPrefix = "urn:colony:client:"
    /// The longest client name, in bytes.
    public static let clientNameBytesMax = 64

    /// The identity `urn` names, or nil when it names none.
    public init?(urn: String) {
        if urn.hasPrefix(Self.nodePrefix) {
            let digits = urn.dropFirst(Self.nodePrefix.count)
            guard digits.allSatisfy({ ("0"..."9").contains($0) }), let id = UInt32(digits), id != 0 else { return nil }
            self = .node(id)
        } else if urn.hasPrefix(Self.clientPrefix) {
            let name = String(urn.dropFirst(Self.clientPrefix.count))
            guard Self.isValidClientName(name) else { return nil }
            self = .client(name)
        } else {
            return nil
        }
    }

    /// The URN that names the identity; `anonymous` for a connection without a certificate.
    public var urn: String {
        switch self {
        case .node(let id): return Self.nodePrefix + String(id)
        case .client(let name): return Self.clientPrefix + name
        case .anonymous: return "anonymous"
        }
    }

    public var description: String {
        switch self {
        case .node(let id): return "node \(id) (\(urn))"
        case .client(let name): return "client \"\(name)\" (\(urn))"
        case .anonymous: return "a caller without a certificate"
        }
    }

    /// Whether `name` can name a client: 1 to 64 ASCII letters, digits, dots, dashes or underscores.
    public static func isValidClientName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= clientNameBytesMax
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }
}
