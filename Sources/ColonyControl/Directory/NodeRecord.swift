import ColonyCore
import ColonyPlacement

/// One node as the directory knows it: where it listens, the failure domains it declared,
/// and where it stands (active, draining, gone). Stored as JSON under
/// `ColonyDirectory.nodeKey(id)`.
public struct NodeRecord: Codable, Hashable, Sendable {
    /// The node's id.
    public var id: UInt32
    /// HOST:PORT for other nodes.
    public var peerAddress: String
    /// HOST:PORT for clients (and the control plane).
    public var clientAddress: String
    /// HOST:PORT of the admin endpoint, if any.
    public var adminAddress: String?
    /// The zone the node is in.
    public var zone: String
    /// The rack, within its zone, the node is in.
    public var rack: String
    /// The node's deployment group.
    public var color: String
    /// Whether the node takes new replicas (active), gives its replicas away (draining), or is
    /// lost or retired (gone: its replicas are re-placed).
    public var state: NodeState

    /// Makes a record.
    public init(
        id: UInt32, peerAddress: String, clientAddress: String, adminAddress: String? = nil, zone: String, rack: String,
        color: String = Fleet.defaultColor, state: NodeState = .active
    ) {
        self.id = id
        self.peerAddress = peerAddress
        self.clientAddress = clientAddress
        self.adminAddress = adminAddress
        self.zone = zone
        self.rack = rack
        self.color = color
        self.state = state
    }

    /// The node as the placer sees it.
    public var fleetNode: FleetNode {
        FleetNode(id: NodeID(id), zone: zone, rack: rack, color: color, state: state)
    }

    /// Whether `host` holds only what a host name, an IPv4 address or a bracketed IPv6 address
    /// (with a zone, `%eth0`) may, and does not start with `-`: commands that act on nodes
    /// (`colony rollout`) put it in shell commands.
    static func isHost(_ host: Substring) -> Bool {
        host.first != "-" && host.utf8.allSatisfy { byte in
            PlainName.allows(byte) || [UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "%")].contains(byte)
        }
    }

    /// The host of the client address (the address without its port).
    public var clientHost: String {
        clientAddress.lastIndex(of: ":").map { String(clientAddress[..<$0]) } ?? clientAddress
    }

    /// The record as it is written when the node (re)joins: the state it was `recorded`
    /// with, if it was (a gone node stays gone), else as it is.
    public func keepingState(of recorded: [NodeRecord]) -> NodeRecord {
        var record = self
        if let earlier = recorded.first(where: { $0.id == id }) { record.state = earlier.state }
        return record
    }

    /// What is wrong with the record, or nil: a positive id, addresses, valid domain names.
    public var problem: String? {
        guard id != 0 else { return "node id 0; ids start at 1" }
        for (field, address) in [("peerAddress", peerAddress), ("clientAddress", clientAddress)] + (adminAddress.map { [("adminAddress", $0)] } ?? []) {
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
                  let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port)
            else { return "\(field) \"\(address)\" is not HOST:PORT" }
            guard Self.isHost(address[..<colon]) else {
                return "\(field) \"\(address)\": a host is a name or an address, of letters, digits and - _ . : [ ] % only, not starting with -"
            }
        }
        do {
            _ = try Fleet(nodes: [fleetNode])
        } catch {
            return error.description
        }
        return nil
    }
}
