import ColonyControl
import ColonyCore

/// Where this node finds its peers: the nodes its configuration lists (the seed), overlaid
/// by the node records it last read from the directory. A pure value: the node's shell
/// (`PeerAddresses`) holds it, `PeerBookRefresher` feeds it the directory's records, and
/// `PeerBookFile` keeps those records in the data directory so a node restarted while the
/// directory is unreachable still knows every peer it knew (static stability).
///
/// The rules, in order:
/// - the node's own entry is always its configuration's: it knows where it listens;
/// - a node the directory records is where its record says, and a record of state `gone`
///   removes the node from the book, seed or not: a gone node never comes back under its
///   id, so its connections are refused and it is never dialled again;
/// - a seed node the directory does not record (a colony whose directory is not made yet,
///   or not read yet) is where the configuration says.
public struct PeerBook: Hashable, Sendable {
    /// The most node records the book takes from the directory (or its file); more is
    /// refused as not coming from a directory this node can trust.
    public static let recordsMax = 10_000

    /// This node's id.
    public let own: NodeID
    /// The nodes the configuration lists, this one included.
    public let seed: [NodeAddress]
    /// The node records last read from the directory, in id order.
    public private(set) var recorded: [NodeRecord]
    /// Every node the book can reach, this one included, by id: made once per change, since
    /// the node looks addresses up on every dial, hello and redirect.
    public private(set) var addresses: [NodeID: NodeAddress]

    /// The book of the node `config` describes, with `recorded` read earlier (from the
    /// book's file), if any.
    public init(config: NodeConfig, recorded: [NodeRecord] = []) {
        own = NodeID(config.node)
        seed = config.nodes
        self.recorded = recorded.sorted { $0.id < $1.id }
        addresses = Self.merged(own: own, seed: seed, recorded: self.recorded)
    }

    /// The entries of `seed` overlaid by `recorded`, less the gone nodes, with `own`'s from the seed.
    private static func merged(own: NodeID, seed: [NodeAddress], recorded: [NodeRecord]) -> [NodeID: NodeAddress] {
        var entries: [NodeID: NodeAddress] = [:]
        for entry in seed { entries[NodeID(entry.node)] = entry }
        for record in recorded {
            switch record.state {
            case .gone: entries[NodeID(record.id)] = nil
            case .active, .draining: entries[NodeID(record.id)] = NodeAddress(record)
            }
        }
        entries[own] = seed.first { $0.node == own.rawValue }
        return entries
    }

    /// The peers the book can reach: every node but this one, in id order.
    public var peers: [NodeID] {
        addresses.keys.filter { $0 != own }.sorted()
    }

    /// Takes `records`, as the directory holds them now, in place of the ones read before;
    /// returns the peers that became reachable and those that no longer are. Throws a
    /// sentence, and keeps the book as it was, when the records cannot be a directory's
    /// (more than `recordsMax`, one with a problem, an id recorded twice).
    public mutating func adopt(_ records: [NodeRecord]) throws(PeerBookError) -> (added: [NodeID], removed: [NodeID]) {
        try Self.check(records)
        let before = Set(peers)
        recorded = records.sorted { $0.id < $1.id }
        addresses = Self.merged(own: own, seed: seed, recorded: recorded)
        let after = Set(peers)
        return (after.subtracting(before).sorted(), before.subtracting(after).sorted())
    }

    /// Checks records read from the directory or the book's file.
    static func check(_ records: [NodeRecord]) throws(PeerBookError) {
        guard records.count <= recordsMax else {
            throw PeerBookError("\(records.count) node records, above the \(recordsMax) a book takes")
        }
        var seen: Set<UInt32> = []
        for record in records {
            if let problem = record.problem { throw PeerBookError("the record of node \(record.id): \(problem)") }
            guard seen.insert(record.id).inserted else { throw PeerBookError("node \(record.id) is recorded twice") }
        }
    }
}

extension NodeAddress {
    /// Where the node of `record` listens, and its failure domains.
    public init(_ record: NodeRecord) {
        self.init(
            node: record.id, peerAddress: record.peerAddress, clientAddress: record.clientAddress, adminAddress: record.adminAddress,
            zone: record.zone, rack: record.rack, color: record.color)
    }
}

/// Why node records were not taken into a peer book, in a sentence.
public struct PeerBookError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
