import ColonyCore

/// The shape of a what-if fleet: zones × racks per zone × nodes per rack, in colors.
public struct FleetShape: Hashable, Sendable, Codable {
    /// Zones, named `z1`, `z2`, …
    public var zones: Int
    /// Racks in each zone, named `r1`, `r2`, … within the zone.
    public var racksPerZone: Int
    /// Nodes in each rack.
    public var nodesPerRack: Int
    /// Colors (deployment groups), named `c1`, `c2`, …; node `i` (from 0) gets color `i mod colors`,
    /// so every color has nodes in every rack when racks hold at least as many nodes as colors.
    public var colors: Int

    /// A shape of `zones` × `racksPerZone` × `nodesPerRack` nodes in `colors` colors.
    public init(zones: Int, racksPerZone: Int, nodesPerRack: Int, colors: Int = 1) {
        self.zones = zones
        self.racksPerZone = racksPerZone
        self.nodesPerRack = nodesPerRack
        self.colors = colors
    }

    /// Nodes in the fleet of this shape.
    public var nodeCount: Int { zones * racksPerZone * nodesPerRack }

    /// Throws when a count is below 1 or the fleet would exceed `Fleet.nodesMax` nodes.
    public func validate() throws(PlacementError) {
        for (name, value) in [("zones", zones), ("racks per zone", racksPerZone), ("nodes per rack", nodesPerRack), ("colors", colors)]
        where value < 1 || value > Fleet.nodesMax {
            throw .badShape("\(name) is \(value); it must be from 1 to \(Fleet.nodesMax)")
        }
        guard nodeCount <= Fleet.nodesMax else {
            throw .badShape("\(zones) × \(racksPerZone) × \(nodesPerRack) is \(nodeCount) nodes; a fleet holds at most \(Fleet.nodesMax)")
        }
        guard colors <= nodeCount else {
            throw .badShape("\(colors) colors for \(nodeCount) nodes leaves colors without nodes")
        }
    }
}

extension Fleet {
    /// The fleet of `shape`, every node active: ids 1, 2, … zone by zone, rack by rack.
    public init(shape: FleetShape) throws(PlacementError) {
        try shape.validate()
        var nodes: [FleetNode] = []
        nodes.reserveCapacity(shape.nodeCount)
        for zone in 1...shape.zones {
            for rack in 1...shape.racksPerZone {
                for _ in 0..<shape.nodesPerRack {
                    let color = shape.colors == 1 ? Fleet.defaultColor : "c\(nodes.count % shape.colors + 1)"
                    nodes.append(FleetNode(id: NodeID(UInt32(nodes.count + 1)), zone: "z\(zone)", rack: "r\(rack)", color: color))
                }
            }
        }
        do {
            try self.init(nodes: nodes)
        } catch {
            preconditionFailure("a generated fleet is valid by construction: \(error)")
        }
    }
}
