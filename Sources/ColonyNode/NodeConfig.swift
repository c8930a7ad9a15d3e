import ColonyCore
import Foundation

/// How one node of a colony is set up: who it is, where it keeps its data, where it listens,
/// and the other nodes of its colony. Read from a JSON file by `colony node --config FILE`:
///
/// ```json
/// {
///   "colony": "dev",
///   "node": 1,
///   "dataDirectory": "/var/lib/colony/n1",
///   "nodes": [
///     { "node": 1, "peerAddress": "127.0.0.1:7101", "clientAddress": "127.0.0.1:7201", "adminAddress": "127.0.0.1:7301",
///       "zone": "z1", "rack": "r1", "color": "default" },
///     { "node": 2, "peerAddress": "127.0.0.1:7102", "clientAddress": "127.0.0.1:7202", "adminAddress": "127.0.0.1:7302",
///       "zone": "z2", "rack": "r1" }
///   ],
///   "keyFile": null,
///   "cellQuotaMax": { "keysMax": 10000, "bytesMax": 4194304, "valueBytesMax": 65536 },
///   "tls": { "ca": "/etc/colony/ca.pem", "certificate": "/etc/colony/node-1.pem", "key": "/etc/colony/node-1.key" }
/// }
/// ```
///
/// Each node declares its failure domains: `zone` (a datacenter or availability zone), `rack`
/// (named within its zone) and `color` (its deployment group). All three are optional: a node
/// without them is in zone `default`, on a rack of its own (`rack-N` for node N), of color
/// `default`. Names are 1 to 64 of `A-Z a-z 0-9 - _ .`. The placer reads them from the
/// directory, which `colony directory init` fills from this file.
///
/// `cellQuotaMax` is optional: the largest quotas a cell may be created with in this colony
/// (each at most `CellLimits.ceiling`'s); without it, the ceiling applies.
///
/// TLS is required: peers and clients must present a certificate issued by the colony's CA
/// (`colony certs`). A configuration without `"tls"` is refused unless it says
/// `"plaintext": true`, which is for tests only.
public struct NodeConfig: Codable, Hashable, Sendable {
    /// The colony's name: nodes refuse peers that name another colony.
    public var colony: String
    /// This node's id, one of `nodes`.
    public var node: UInt32
    /// The folder holding this node's write-ahead log and snapshots.
    public var dataDirectory: String
    /// Every node of the colony, this one included.
    public var nodes: [NodeAddress]
    /// A key file (32 raw bytes or 64 hex digits) that seals the data at rest, if any.
    public var keyFile: String?
    /// The largest quotas a cell may be created with, if lower than `CellLimits.ceiling`.
    public var cellQuotaMax: CellQuota?
    /// The colony's CA and this node's certificate and key; required unless `plaintext`.
    public var tls: TLSFiles?
    /// True to run without TLS: for tests only, never beside a `tls` section.
    public var plaintext: Bool?

    /// Makes a configuration; `validate()` checks it.
    public init(
        colony: String, node: UInt32, dataDirectory: String, nodes: [NodeAddress], keyFile: String? = nil,
        cellQuotaMax: CellQuota? = nil, tls: TLSFiles? = nil, plaintext: Bool? = nil
    ) {
        self.colony = colony
        self.node = node
        self.dataDirectory = dataDirectory
        self.nodes = nodes
        self.keyFile = keyFile
        self.cellQuotaMax = cellQuotaMax
        self.tls = tls
        self.plaintext = plaintext
    }

    /// The largest quotas a cell of this colony may have.
    public var effectiveCellQuotaMax: CellQuota {
        cellQuotaMax ?? CellQuota(CellLimits.ceiling)
    }

    /// Reads and checks a configuration file.
    public static func load(path: String) throws(NodeConfigError) -> NodeConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let config: NodeConfig
        do {
            config = try JSONDecoder().decode(NodeConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalid(path: path, reason: "the field \"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .invalid(path: path, reason: "the field \"\(field)\" has the wrong type: \(context.debugDescription)")
        } catch {
            throw .invalid(path: path, reason: "not valid JSON: \(error.localizedDescription)")
        }
        do {
            try config.validate()
        } catch {
            throw .invalid(path: path, reason: error.reason)
        }
        return config
    }

    /// Checks that the configuration can run: a colony name, a node that is listed, unique
    /// node ids, addresses that parse, and TLS files (or an explicit `"plaintext": true`).
    public func validate() throws(NodeConfigProblem) {
        switch (tls, plaintext ?? false) {
        case (nil, false):
            throw NodeConfigProblem("""
                there is no "tls" section, and TLS is required. Make certificates with `colony certs init --dir DIR` \
                and `colony certs node \(node) --dir DIR`, then add "tls": {"ca": "DIR/ca.pem", "certificate": \
                "DIR/node-\(node).pem", "key": "DIR/node-\(node).key"}; or set "plaintext": true (for tests only)
                """)
        case (.some, true):
            throw NodeConfigProblem("both \"tls\" and \"plaintext\": true are set; remove one (plaintext is for tests only)")
        case (.some(let files), false):
            for (field, path) in [("ca", files.ca), ("certificate", files.certificate), ("key", files.key)] where path.isEmpty {
                throw NodeConfigProblem("\"tls.\(field)\" is empty; name a PEM file")
            }
        case (nil, true):
            break
        }
        guard !colony.isEmpty, colony.utf8.count <= 64 else {
            throw NodeConfigProblem("\"colony\" must be a name of 1 to 64 bytes")
        }
        guard !dataDirectory.isEmpty else { throw NodeConfigProblem("\"dataDirectory\" is empty") }
        guard node != 0 else { throw NodeConfigProblem("\"node\" must be a positive id") }
        var seen: Set<UInt32> = []
        for entry in nodes {
            guard entry.node != 0 else { throw NodeConfigProblem("node ids in \"nodes\" must be positive") }
            guard seen.insert(entry.node).inserted else {
                throw NodeConfigProblem("node \(entry.node) is listed twice in \"nodes\"")
            }
            for (kind, name) in [("zone", entry.zone), ("rack", entry.rack), ("color", entry.color)] {
                if let name, let problem = NodeAddress.domainNameProblem(name) {
                    throw NodeConfigProblem("node \(entry.node): \"\(kind)\" \(problem)")
                }
            }
            for address in [entry.peerAddress, entry.clientAddress] + (entry.adminAddress.map { [$0] } ?? []) {
                guard HostPort(address) != nil else {
                    throw NodeConfigProblem("node \(entry.node): \"\(address)\" is not an address; write HOST:PORT with a port from 1 to 65535")
                }
            }
        }
        guard seen.contains(node) else {
            throw NodeConfigProblem("this node (\(node)) is not listed in \"nodes\"; list every node of the colony, this one included")
        }
        if let quota = cellQuotaMax {
            let ceiling = CellQuota(CellLimits.ceiling)
            for (name, value, most) in [
                ("keysMax", quota.keysMax, ceiling.keysMax), ("bytesMax", quota.bytesMax, ceiling.bytesMax),
                ("valueBytesMax", quota.valueBytesMax, ceiling.valueBytesMax),
            ] where value < 1 || value > most {
                throw NodeConfigProblem("\"cellQuotaMax.\(name)\" must be from 1 to \(most), not \(value)")
            }
        }
    }

    /// This node's own entry.
    public var own: NodeAddress {
        guard let entry = nodes.first(where: { $0.node == node }) else {
            preconditionFailure("Invalid state: a validated configuration lists its own node")
        }
        return entry
    }

    /// The entry of `id`, if the colony has such a node.
    public func address(of id: NodeID) -> NodeAddress? {
        nodes.first { $0.node == id.rawValue }
    }
}

/// A cell's quotas: how many keys, how many bytes of keys and values, how large one value.
public struct CellQuota: Codable, Hashable, Sendable {
    /// The most keys.
    public var keysMax: Int
    /// The most bytes of keys and values together.
    public var bytesMax: Int
    /// The largest value, in bytes.
    public var valueBytesMax: Int

    /// Makes a quota.
    public init(keysMax: Int, bytesMax: Int, valueBytesMax: Int) {
        self.keysMax = keysMax
        self.bytesMax = bytesMax
        self.valueBytesMax = valueBytesMax
    }

    /// The quota part of a cell's limits.
    public init(_ limits: CellLimits) {
        self.init(keysMax: limits.keysMax, bytesMax: limits.cellBytesMax, valueBytesMax: limits.valueBytesMax)
    }
}

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
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
        return allowed ? nil : "is \"\(name)\"; use only A-Z a-z 0-9 - _ ."
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

/// What is wrong with a configuration, in words.
public struct NodeConfigProblem: Error, Hashable, Sendable {
    /// The problem, in a sentence that says what to fix.
    public var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// Why a configuration file could not be used.
public enum NodeConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file was read but is not a valid configuration.
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the configuration \(path): \(reason)"
        case .invalid(let path, let reason):
            return "the configuration \(path) is not valid: \(reason)"
        }
    }
}
