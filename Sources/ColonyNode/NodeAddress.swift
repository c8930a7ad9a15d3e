import ColonyCore

/// Where one node listens.
public struct NodeAddress: Codable, Hashable, Sendable {
    /// The node's id.
    public var node: UInt32
    /// HOST:PORT for other nodes.
    public var peerAddress: String
    /// HOST:PORT for clients.
    public var clientAddress: String
    /// HOST:PORT of the admin endpoint (`/metrics`, `/health`, `/status` over HTTP), if the
    /// node has one.
    public var adminAddress: String?
    /// The zone the node is in, if declared (see `zoneName`).
    public var zone: String?
    /// The rack, within its zone, the node is in, if declared (see `rackName`).
    public var rack: String?
    /// The node's deployment group, if declared (see `colorName`).
    public var color: String?

    /// The zone of a node that declares none.
    public static let defaultZone = "default"
    /// The color of a node that declares none.
    public static let defaultColor = "default"
    /// The longest zone, rack or color name, in bytes.
    public static let domainNameBytesMax = 64

    /// Makes an entry.
    public init(
        node: UInt32, peerAddress: String, clientAddress: String, adminAddress: String? = nil, zone: String? = nil,
        rack: String? = nil, color: String? = nil
    ) {
        self.node = node
        self.peerAddress = peerAddress
        self.clientAddress = clientAddress
        self.adminAddress = adminAddress
        self.zone = zone
        self.rack = rack
        self.color = color
    }

    /// The node's zone: `zone`, else `default`.
    public var zoneName: String { zone ?? Self.defaultZone }
    /// The node's rack: `rack`, else a rack of its own, `rack-N`.
    public var rackName: String { rack ?? "rack-\(node)" }
    /// The node's color: `color`, else `default`.
    public var colorName: String { color ?? Self.defaultColor }

    /// What is wrong with a zone, rack or color name, or nil when it is one: 1 to 64 bytes of
    /// `A-Z a-z 0-9 - _ .` (the placer's rule for failure-domain names).
    public static func domainNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= domainNameBytesMax else {
            return "must be 1 to \(domainNameBytesMax) bytes, not \(name.utf8.count)"
        }
        return PlainName.isPlain(name) ? nil : "is \"\(name)\"; use only A-Z a-z 0-9 - _ ."
    }
}

/// A HOST:PORT address, parsed.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    /// The host name or IP address.
    public var host: String
    /// The port, 1 to 65535.
    public var port: Int

    /// Parses `HOST:PORT`; nil when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}
