import ColonyCore

/// Where a node stands in its life: only active nodes receive new replicas.
///
/// Legal transitions: active → draining (its replicas are being moved away), draining →
/// active (the drain was cancelled), active or draining → gone (the node was lost or retired;
/// its replicas must be replaced). Gone is final.
public enum NodeState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Takes new replicas.
    case active
    /// Keeps its replicas for now but takes no new ones.
    case draining
    /// Lost or retired: its replicas count as failed until replaced.
    case gone
}

/// One node of the fleet and the failure domains it sits in.
///
/// A rack is named within its zone: rack `r1` of zone `z1` and rack `r1` of zone `z2` are two
/// racks. The color is the node's deployment group: a cell uses nodes of one color only, and
/// a deploy rolled out color by color can hurt only that color's cells.
public struct FleetNode: Hashable, Sendable {
    /// The node's id, as in its configuration.
    public var id: NodeID
    /// The zone (a datacenter or availability zone) the node is in.
    public var zone: String
    /// The rack, within `zone`, the node is in.
    public var rack: String
    /// The node's deployment group.
    public var color: String
    /// Whether the node takes new replicas.
    public var state: NodeState

    /// A node in `zone`/`rack` of `color`, active unless `state` says otherwise.
    public init(id: NodeID, zone: String, rack: String, color: String = Fleet.defaultColor, state: NodeState = .active) {
        self.id = id
        self.zone = zone
        self.rack = rack
        self.color = color
        self.state = state
    }
}

/// The nodes a colony can place cells on, with their zones, racks, colors and states.
///
/// A fleet is checked as it is built: node ids are unique, names are short and printable.
/// Each node also gets a dense index (its position in `nodes`), which is how the placer and
/// the analysis refer to it; indices never change once given, so a node that leaves stays in
/// the fleet as `gone`.
public struct Fleet: Hashable, Sendable {
    /// The color of nodes that name none.
    public static let defaultColor = "default"
    /// The most nodes a fleet may hold: subsets of up to 5 of them still rank in 64 bits.
    public static let nodesMax = 10_000
    /// The longest zone, rack or color name, in bytes.
    public static let nameBytesMax = 64

    /// The nodes, in the order they joined; a node's position is its index.
    public private(set) var nodes: [FleetNode] = []
    /// Zone names in the order they first appeared.
    public private(set) var zones: [String] = []
    /// Color names in the order they first appeared.
    public private(set) var colors: [String] = []
    /// Racks as (zone index, rack name), in the order they first appeared.
    public private(set) var racks: [Rack] = []
    /// For each node index: its zone's index in `zones`.
    public private(set) var zoneOfNode: [Int] = []
    /// For each node index: its rack's index in `racks`.
    public private(set) var rackOfNode: [Int] = []
    /// For each node index: its color's index in `colors`.
    public private(set) var colorOfNode: [Int] = []
    private var indexOfID: [NodeID: Int] = [:]
    private var indexOfZone: [String: Int] = [:]
    private var indexOfColor: [String: Int] = [:]
    private var indexOfRack: [Rack: Int] = [:]

    /// A rack: its zone (an index into `zones`) and its name within the zone.
    public struct Rack: Hashable, Sendable {
        /// The zone's index in `Fleet.zones`.
        public var zone: Int
        /// The rack's name within its zone.
        public var name: String
    }

    /// An empty fleet.
    public init() {}

    /// A fleet of `nodes`; throws a `FleetError` naming the first node that is not valid.
    public init(nodes: [FleetNode]) throws(FleetError) {
        guard !nodes.isEmpty else { throw .empty }
        for node in nodes {
            try add(node)
        }
    }

    /// The index of the node `id`, or nil when the fleet has no such node.
    public func index(of id: NodeID) -> Int? {
        indexOfID[id]
    }

    /// The index of the zone named `zone`, or nil.
    public func zoneIndex(of zone: String) -> Int? {
        indexOfZone[zone]
    }

    /// The index of the color named `color`, or nil.
    public func colorIndex(of color: String) -> Int? {
        indexOfColor[color]
    }

    /// The index of rack `rack` of zone `zone`, or nil.
    public func rackIndex(zone: String, rack: String) -> Int? {
        indexOfZone[zone].flatMap { indexOfRack[Rack(zone: $0, name: rack)] }
    }

    /// `zone/rack`, the name of rack `index` in reports.
    public func rackName(_ index: Int) -> String {
        "\(zones[racks[index].zone])/\(racks[index].name)"
    }

    /// Adds `node` at the next index; throws when its id is taken or a name is not valid.
    public mutating func add(_ node: FleetNode) throws(FleetError) {
        guard indexOfID[node.id] == nil else { throw .duplicateNode(node.id) }
        guard nodes.count < Self.nodesMax else { throw .tooManyNodes(max: Self.nodesMax) }
        try Self.check(node.zone, kind: "zone", node: node.id)
        try Self.check(node.rack, kind: "rack", node: node.id)
        try Self.check(node.color, kind: "color", node: node.id)
        let zone = Self.intern(node.zone, in: &zones, index: &indexOfZone)
        let color = Self.intern(node.color, in: &colors, index: &indexOfColor)
        let rack = Self.intern(Rack(zone: zone, name: node.rack), in: &racks, index: &indexOfRack)
        indexOfID[node.id] = nodes.count
        nodes.append(node)
        zoneOfNode.append(zone)
        rackOfNode.append(rack)
        colorOfNode.append(color)
    }

    /// Moves node `id` to `state`; throws when there is no such node or the move is not legal
    /// (see `NodeState`).
    public mutating func setState(_ state: NodeState, of id: NodeID) throws(FleetError) {
        guard let index = indexOfID[id] else { throw .unknownNode(id) }
        let current = nodes[index].state
        switch (current, state) {
        case (.gone, .active), (.gone, .draining):
            throw .illegalTransition(node: id, from: current, to: state)
        case (.active, _), (.draining, _), (.gone, .gone):
            nodes[index].state = state
        }
    }

    private static func intern<Name: Hashable>(_ name: Name, in names: inout [Name], index: inout [Name: Int]) -> Int {
        if let existing = index[name] { return existing }
        index[name] = names.count
        names.append(name)
        return names.count - 1
    }

    private static func check(_ name: String, kind: String, node: NodeID) throws(FleetError) {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= nameBytesMax else {
            throw .invalidName(node: node, kind: kind, name: name)
        }
        guard PlainName.isPlain(name) else { throw .invalidName(node: node, kind: kind, name: name) }
    }
}

/// Why a fleet could not be built or changed.
public enum FleetError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The fleet has no nodes.
    case empty
    /// Two nodes share an id.
    case duplicateNode(NodeID)
    /// The fleet would exceed `Fleet.nodesMax` nodes.
    case tooManyNodes(max: Int)
    /// A zone, rack or color name is empty, too long, or holds other characters than `A-Za-z0-9-_.`.
    case invalidName(node: NodeID, kind: String, name: String)
    /// No node has this id.
    case unknownNode(NodeID)
    /// A gone node cannot come back.
    case illegalTransition(node: NodeID, from: NodeState, to: NodeState)

    public var description: String {
        switch self {
        case .empty:
            return "the fleet has no nodes; give at least one"
        case .duplicateNode(let id):
            return "node \(id) appears twice in the fleet; node ids must be unique"
        case .tooManyNodes(let max):
            return "the fleet has more than \(max) nodes; split it into colonies of at most \(max)"
        case .invalidName(let node, let kind, let name):
            return "node \(node) has \(kind) \"\(name)\"; a \(kind) name is 1 to \(Fleet.nameBytesMax) of A-Z a-z 0-9 - _ ."
        case .unknownNode(let id):
            return "node \(id) is not in the fleet"
        case .illegalTransition(let node, let from, let to):
            return "node \(node) is \(from.rawValue) and cannot become \(to.rawValue); a gone node never returns, add it under a new id"
        }
    }
}
