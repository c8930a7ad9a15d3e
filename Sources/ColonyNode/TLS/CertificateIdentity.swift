import ColonyCore
import X509

/// Who a certificate of a colony was issued to: a node (by id) or a client (by name).
///
/// The identity is a URI in the certificate's subject alternative names: `urn:colony:node:3`
/// for node 3, `urn:colony:client:alice` for the client alice. The colony's CA only signs
/// what `colony certs` makes, so a certificate that verifies against the CA and carries one
/// of these names was issued to that node or client. A node accepts as a peer only a node
/// certificate whose id is the one the peer's hello names; clients may present either kind.
public enum CertificateIdentity: Hashable, Sendable, CustomStringConvertible {
    /// A node of the colony.
    case node(NodeID)
    /// A client of the colony.
    case client(String)

    /// The URI prefix of a node's identity.
    static let nodePrefix = "urn:colony:node:"
    /// The URI prefix of a client's identity.
    static let clientPrefix = "urn:colony:client:"
    /// The longest client name.
    public static let clientNameBytesMax = 64

    /// The URI that names this identity in a certificate.
    public var uri: String {
        switch self {
        case .node(let node): return Self.nodePrefix + "\(node.rawValue)"
        case .client(let name): return Self.clientPrefix + name
        }
    }

    public var description: String {
        switch self {
        case .node(let node): return "node \(node)"
        case .client(let name): return "client \"\(name)\""
        }
    }

    /// The identity `uri` names, or nil if it names none.
    init?(uri: String) {
        if uri.hasPrefix(Self.nodePrefix) {
            guard let id = UInt32(uri.dropFirst(Self.nodePrefix.count)), id != 0 else { return nil }
            self = .node(NodeID(id))
        } else if uri.hasPrefix(Self.clientPrefix) {
            let name = String(uri.dropFirst(Self.clientPrefix.count))
            guard Self.isValidClientName(name) else { return nil }
            self = .client(name)
        } else {
            return nil
        }
    }

    /// The identity a certificate carries, or nil if it carries none (or more than one).
    public init?(certificate: Certificate) {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
        let identities = names.compactMap { name -> CertificateIdentity? in
            guard case .uniformResourceIdentifier(let uri) = name else { return nil }
            return CertificateIdentity(uri: uri)
        }
        guard identities.count == 1, let identity = identities.first else { return nil }
        self = identity
    }

    /// Whether `name` can name a client: 1 to 64 letters, digits, dots, dashes or underscores.
    public static func isValidClientName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= clientNameBytesMax
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }
}
