import ColonyCore
import ColonyPlacement
import Testing

@Suite("replacing members and removing cells")
struct ReplacementTests {
    static func placed(_ count: Int, on shape: FleetShape) throws -> (Placer, [Placement]) {
        var placer = try Placer(fleet: try Fleet(shape: shape))
        var placements: [Placement] = []
        for number in 0..<count {
            placements.append(try placer.place(PlacementRequest(cell: CellID("cell-\(number)"))))
        }
        return (placer, placements)
    }

    @Test("draining a node and replacing it in every cell empties it and keeps the zone, rack and overlap rules")
    func drainAndReplace() throws {
        var (placer, placements) = try Self.placed(400, on: FleetShape(zones: 3, racksPerZone: 5, nodesPerRack: 4))
        let drained = NodeID(7)
        try placer.setState(.draining, of: drained)
        let holding = placements.indices.filter { placements[$0].members.contains(drained) }
        #expect(!holding.isEmpty)
        for index in holding {
            let before = placements[index]
            let after = try placer.replace(drained, in: before)
            #expect(!after.members.contains(drained))
            #expect(Set(before.members).subtracting(after.members) == [drained])
            #expect(after.relaxed.isEmpty, "\(after.relaxed)")
            if before.preferredLeader != drained { #expect(after.preferredLeader == before.preferredLeader) }
            placements[index] = after
        }
        #expect(placer.replicas(on: drained) == 0)
        #expect(placer.leaders(on: drained) == 0)
        let fleet = placer.fleet
        for placement in placements {
            let zones = Dictionary(grouping: placement.members) { fleet.nodes[fleet.index(of: $0)!].zone }
            #expect(zones.values.allSatisfy { $0.count <= 3 })
        }
        for first in placements.indices {
            for second in placements.indices where second > first {
                #expect(Set(placements[first].members).intersection(placements[second].members).count <= 3)
            }
        }
    }

    @Test("a member is replaced even when fewer nodes than replicas are active, the other members kept on draining nodes")
    func replaceWithFewActiveNodes() throws {
        var (placer, placements) = try Self.placed(1, on: FleetShape(zones: 3, racksPerZone: 3, nodesPerRack: 1))
        let before = placements[0]
        let spares = placer.fleet.nodes.map(\.id).filter { !before.members.contains($0) }
        for member in before.members.prefix(3) {
            try placer.setState(.draining, of: member)
        }
        let after = try placer.replace(before.members[0], in: before)
        #expect(Set(after.members).subtracting(before.members).isSubset(of: spares))
        #expect(Set(before.members).subtracting(after.members) == [before.members[0]])
        #expect(Set(after.members).count == 7)
    }

    @Test("removing every cell returns the placer to empty: it then places the same cells as a fresh placer")
    func removeAll() throws {
        let shape = FleetShape(zones: 3, racksPerZone: 4, nodesPerRack: 3)
        let made = try Self.placed(120, on: shape)
        var placer = made.0
        let placements = made.1
        for placement in placements.reversed() {
            try placer.remove(placement)
        }
        #expect(placer.cellCount == 0)
        #expect(placer.fleet.nodes.allSatisfy { placer.replicas(on: $0.id) == 0 && placer.leaders(on: $0.id) == 0 })
        var again: [Placement] = []
        for number in 0..<120 {
            again.append(try placer.place(PlacementRequest(cell: CellID("cell-\(number)"))))
        }
        #expect(again == placements)
    }

    @Test("a placement that is not placed, or a node that is not a member, is refused without changing anything")
    func refusals() throws {
        let made = try Self.placed(10, on: FleetShape(zones: 3, racksPerZone: 4, nodesPerRack: 3))
        var placer = made.0
        let placements = made.1
        let outsider = placer.fleet.nodes.map(\.id).first { !placements[0].members.contains($0) }!
        #expect(throws: PlacementError.notAMember(cell: placements[0].request.cell, node: outsider)) {
            try placer.replace(outsider, in: placements[0])
        }
        try placer.remove(placements[0])
        #expect(throws: PlacementError.self) { try placer.remove(placements[0]) }
        var forged = placements[1]
        forged.members[0] = forged.members[0] == NodeID(1) ? NodeID(2) : NodeID(1)
        forged = Placement(request: forged.request, members: forged.members, preferredLeader: forged.preferredLeader)
        if Set(forged.members).count == 7 {
            #expect(throws: PlacementError.self) { try placer.remove(forged) }
        }
        #expect(placer.cellCount == 9)
    }

    @Test("a placer rebuilt by recording placements chooses as the original does")
    func recordRebuilds() throws {
        let shape = FleetShape(zones: 3, racksPerZone: 5, nodesPerRack: 3)
        let made = try Self.placed(150, on: shape)
        var original = made.0
        var rebuilt = try Placer(fleet: try Fleet(shape: shape))
        for placement in made.1 { try rebuilt.record(placement) }
        for number in 150..<200 {
            let request = PlacementRequest(cell: CellID("cell-\(number)"))
            let fromOriginal = try original.place(request)
            let fromRebuilt = try rebuilt.place(request)
            #expect(fromOriginal == fromRebuilt)
        }
    }

    @Test("a node added to the fleet takes new replicas; a gone node takes none and cannot return")
    func fleetChanges() throws {
        var placer = try Self.placed(50, on: FleetShape(zones: 3, racksPerZone: 3, nodesPerRack: 3)).0
        try placer.addNode(FleetNode(id: NodeID(100), zone: "z1", rack: "r4"))
        try placer.setState(.gone, of: NodeID(1))
        for number in 50..<80 {
            let placement = try placer.place(PlacementRequest(cell: CellID("cell-\(number)")))
            #expect(!placement.members.contains(NodeID(1)))
        }
        #expect(placer.replicas(on: NodeID(100)) > 0)
        #expect(throws: PlacementError.fleet(.illegalTransition(node: NodeID(1), from: .gone, to: .active))) {
            try placer.setState(.active, of: NodeID(1))
        }
    }
}
