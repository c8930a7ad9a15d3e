import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Testing

@Suite("even load and the near zone")
struct LoadAndNearZoneTests {
    /// The most replicas (or leaderships) per node may differ between any two active nodes
    /// of a uniform fleet.
    static let replicaSpreadMax = 3
    static let leaderSpreadMax = 2

    @Test("on uniform fleets replicas per node differ by at most 3 and preferred leaderships by at most 2")
    func evenLoad() async throws {
        try await OwnThread.run(heavy: true) {
            var shapesChecked = 0
            for seed in 1...UInt64(80) {
                var random = SplitMix64(seed: seed)
                let shape = FleetShape(
                    zones: 1 + Int(random.next() % 5), racksPerZone: 1 + Int(random.next() % 12), nodesPerRack: 1 + Int(random.next() % 12))
                let replicas = [3, 5, 7, 9][Int(random.next() % 4)]
                guard shape.nodeCount >= replicas else { continue }
                let fleet = try Fleet(shape: shape)
                var placer = try Placer(fleet: fleet)
                let cells = 8 * shape.nodeCount / replicas + 1
                for number in 0..<cells {
                    _ = try placer.place(PlacementRequest(cell: CellID("c\(number)"), replicas: replicas))
                }
                let replicaCounts = fleet.nodes.map { placer.replicas(on: $0.id) }
                let leaderCounts = fleet.nodes.map { placer.leaders(on: $0.id) }
                let context = "\(shape), \(replicas) replicas, \(cells) cells"
                #expect(replicaCounts.max()! - replicaCounts.min()! <= Self.replicaSpreadMax, "replicas \(replicaCounts.min()!)...\(replicaCounts.max()!): \(context)")
                #expect(leaderCounts.max()! - leaderCounts.min()! <= Self.leaderSpreadMax, "leaders \(leaderCounts.min()!)...\(leaderCounts.max()!): \(context)")
                shapesChecked += 1
            }
            #expect(shapesChecked > 50)
        }
    }

    @Test("a request near a zone gets a majority and the preferred leader there, and its commits stay in that zone")
    func nearZoneHoldsMajorityAndLeader() throws {
        let fleet = try Fleet(shape: FleetShape(zones: 3, racksPerZone: 6, nodesPerRack: 4))
        var placer = try Placer(fleet: fleet)
        for number in 0..<200 {
            let placement = try placer.place(PlacementRequest(cell: CellID("near-\(number)"), nearZone: "z2"))
            let zones = placement.members.map { fleet.nodes[fleet.index(of: $0)!].zone }
            #expect(zones.filter { $0 == "z2" }.count == 4, "\(placement)")
            #expect(fleet.nodes[fleet.index(of: placement.preferredLeader)!].zone == "z2")
            #expect(!placement.relaxes(.nearZone) && !placement.relaxes(.overlapBound) && !placement.relaxes(.rackSpread))
            // The zone rule gives way to the client's choice, and says so.
            #expect(placement.relaxed.map(\.rule) == [.zoneMajority])
            #expect(placement.relaxed[0].reason.contains("near zone z2 holds 4 of 7"))
        }
    }

    @Test("a near zone too small for a majority still gets the preferred leader, and the placement says why")
    func smallNearZone() throws {
        var nodes: [FleetNode] = []
        for (zone, racks) in [("z1", 5), ("z2", 5), ("small", 2)] {
            for rack in 1...racks {
                nodes.append(FleetNode(id: NodeID(UInt32(nodes.count + 1)), zone: zone, rack: "r\(rack)"))
            }
        }
        var placer = try Placer(fleet: try Fleet(nodes: nodes))
        let placement = try placer.place(PlacementRequest(cell: CellID("edge"), nearZone: "small"))
        #expect(placement.relaxes(.nearZone))
        #expect(placement.relaxed.first { $0.rule == .nearZone }!.reason.contains("only 2 active nodes"))
        #expect(placer.fleet.nodes[placer.fleet.index(of: placement.preferredLeader)!].zone == "small")
        #expect(!placement.relaxes(.zoneMajority))
    }
}
