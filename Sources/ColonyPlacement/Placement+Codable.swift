import ColonyCore

// The placement's value types encode as plain JSON objects (node ids as numbers, cell names
// as strings), so the directory can store them and tools can read them without Colony.

extension FleetNode: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, zone, rack, color, state
    }

    /// Decodes a node; `color` defaults to `Fleet.defaultColor` and `state` to active.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: NodeID(try container.decode(UInt32.self, forKey: .id)),
            zone: try container.decode(String.self, forKey: .zone),
            rack: try container.decode(String.self, forKey: .rack),
            color: try container.decodeIfPresent(String.self, forKey: .color) ?? Fleet.defaultColor,
            state: try container.decodeIfPresent(NodeState.self, forKey: .state) ?? .active)
    }

    /// Encodes every field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.rawValue, forKey: .id)
        try container.encode(zone, forKey: .zone)
        try container.encode(rack, forKey: .rack)
        try container.encode(color, forKey: .color)
        try container.encode(state, forKey: .state)
    }
}

extension Fleet: Codable {
    /// Decodes `{"nodes": [...]}` and checks it as `init(nodes:)` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let list = try container.decode(NodeList.self)
        try self.init(nodes: list.nodes)
    }

    /// Encodes `{"nodes": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(NodeList(nodes: nodes))
    }

    private struct NodeList: Codable {
        var nodes: [FleetNode]
    }
}

extension PlacementRequest: Codable {
    private enum CodingKeys: String, CodingKey {
        case cell, replicas, nearZone, color
    }

    /// Decodes a request; the cell name is checked as `CellID(validating:)` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            cell: try CellID(validating: try container.decode(String.self, forKey: .cell)),
            replicas: try container.decode(Int.self, forKey: .replicas),
            nearZone: try container.decodeIfPresent(String.self, forKey: .nearZone),
            color: try container.decodeIfPresent(String.self, forKey: .color) ?? Fleet.defaultColor)
    }

    /// Encodes every field; `nearZone` only when set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cell.name, forKey: .cell)
        try container.encode(replicas, forKey: .replicas)
        try container.encodeIfPresent(nearZone, forKey: .nearZone)
        try container.encode(color, forKey: .color)
    }
}

extension Placement: Codable {
    private enum CodingKeys: String, CodingKey {
        case request, members, preferredLeader, relaxed
    }

    /// Decodes a placement as written by `encode(to:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            request: try container.decode(PlacementRequest.self, forKey: .request),
            members: try container.decode([UInt32].self, forKey: .members).map(NodeID.init),
            preferredLeader: NodeID(try container.decode(UInt32.self, forKey: .preferredLeader)),
            relaxed: try container.decode([Relaxation].self, forKey: .relaxed))
    }

    /// Encodes the request, the members and preferred leader as node numbers, and the relaxations.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(request, forKey: .request)
        try container.encode(members.map(\.rawValue), forKey: .members)
        try container.encode(preferredLeader.rawValue, forKey: .preferredLeader)
        try container.encode(relaxed, forKey: .relaxed)
    }
}
