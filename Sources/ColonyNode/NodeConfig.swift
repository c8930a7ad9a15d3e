import ColonyCore
import ColonyJSON
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
///   "tls": { "ca": "/etc/colony/ca.pem", "certificate": "/etc/colony/node-1.pem", "key": "/etc/colony/node-1.key" },
///   "tracing": { "endpoint": "http://127.0.0.1:4317", "samplingRatio": 0.01 },
///   "listen": { "peer": "0.0.0.0:7101", "client": "0.0.0.0:7201" }
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
///
/// The file is read strictly: a key this type does not know, at any level, is refused with
/// the nearest known key (a misspelt `"keyfile"` must not run the node unencrypted), and
/// every field is checked with a message naming it. The key file must be readable by its
/// owner only unless `"keyFileReadableByOthers": true` says otherwise.
public struct NodeConfig: Codable, Hashable, Sendable {
    /// The name of a development colony, as `colony dev up` and `colony chaos` name theirs:
    /// only its nodes take testing faults (`ColonyNodeServer.Options.diskStallLock`).
    public static let developmentColony = "dev"

    /// The colony's name: nodes refuse peers that name another colony.
    public var colony: String
    /// This node's id, one of `nodes`.
    public var node: UInt32
    /// The folder holding this node's write-ahead log and snapshots.
    public var dataDirectory: String
    /// This node and the nodes it first dials: every node of the colony, or some of them for a
    /// node that joins a running colony; the peer book (`PeerBook`) learns the rest from the
    /// directory.
    public var nodes: [NodeAddress]
    /// A key file (32 raw bytes or 64 hex digits) that seals the data at rest, if any.
    public var keyFile: String?
    /// True to accept a key file that other users (its group or anyone) may read; without
    /// it such a key file is refused at start.
    public var keyFileReadableByOthers: Bool?
    /// The largest quotas a cell may be created with, if lower than `CellLimits.ceiling`.
    public var cellQuotaMax: CellQuota?
    /// The colony's CA and this node's certificate and key; required unless `plaintext`.
    public var tls: TLSFiles?
    /// True to run without TLS: for tests only, never beside a `tls` section.
    public var plaintext: Bool?
    /// True to serve the admin endpoint over TLS, to clients presenting a certificate of the
    /// colony's CA (a node's or a client's); needs `tls`. Without it the endpoint is plain HTTP,
    /// read-only, and must not face untrusted networks.
    public var adminTLS: Bool?
    /// Where to export the spans of traced requests, and the share of traces to start; none
    /// traces nothing (see `NodeTracing`).
    public var tracing: NodeTracing?
    /// Where this node binds its listeners, if not at the addresses `nodes` advertises for
    /// it (see `ListenAddresses`).
    public var listen: ListenAddresses?

    /// Makes a configuration; `validate()` checks it.
    public init(
        colony: String, node: UInt32, dataDirectory: String, nodes: [NodeAddress], keyFile: String? = nil,
        keyFileReadableByOthers: Bool? = nil, cellQuotaMax: CellQuota? = nil, tls: TLSFiles? = nil, plaintext: Bool? = nil,
        adminTLS: Bool? = nil, tracing: NodeTracing? = nil, listen: ListenAddresses? = nil
    ) {
        self.listen = listen
        self.adminTLS = adminTLS
        self.tracing = tracing
        self.colony = colony
        self.node = node
        self.dataDirectory = dataDirectory
        self.nodes = nodes
        self.keyFile = keyFile
        self.keyFileReadableByOthers = keyFileReadableByOthers
        self.cellQuotaMax = cellQuotaMax
        self.tls = tls
        self.plaintext = plaintext
    }

    /// The largest quotas a cell of this colony may have.
    public var effectiveCellQuotaMax: CellQuota {
        cellQuotaMax ?? CellQuota(CellLimits.ceiling)
    }

    /// Reads a configuration file, puts `node` and `dataDirectory` in place of the file's when
    /// given (every node of a fleet may share one file), and checks the result.
    public static func load(path: String, node: UInt32? = nil, dataDirectory: String? = nil) throws(NodeConfigError) -> NodeConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var config: NodeConfig
        do {
            config = try StrictJSON.decode(NodeConfig.self, from: data)
        } catch {
            throw .invalid(path: path, reason: error.description)
        }
        if let node { config.node = node }
        if let dataDirectory { config.dataDirectory = dataDirectory }
        do {
            try config.validate()
        } catch {
            throw .invalid(path: path, reason: error.reason)
        }
        return config
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
