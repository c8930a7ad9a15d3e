import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Testing

@Suite("placement rules over many fleet shapes")
struct PlacementRuleTests {
    static let fleets: UInt64 = 160
    static let cellsPerFleet = 32

    /// One placed cell as the tests see it.
    struct Placed {
        var placement: Placement
        var members: [Int]
    }

    /// Places `cellsPerFleet` cells on `shape`'s fleet (colors in turn); requests a color
    /// cannot hold must be refused with `tooFewNodes`, and are skipped.
    static func placeAll(_ shape: RandomFleet, configuration: PlacerConfiguration = PlacerConfiguration()) throws -> [Placed] {
        var placer = try Placer(fleet: shape.fleet, configuration: configuration)
        var placed: [Placed] = []
        for number in 0..<cellsPerFleet {
            let color = shape.colors[number % shape.colors.count]
            let request = PlacementRequest(
                cell: CellID("cell-\(number)"), replicas: shape.replicas, nearZone: shape.nearZone, color: color)
            if shape.active(color).count < shape.replicas {
                #expect(throws: PlacementError.tooFewNodes(
                    cell: request.cell, color: color, active: shape.active(color).count, replicas: shape.replicas)) {
                    try placer.place(request)
                }
                continue
            }
            let placement = try placer.place(request)
            placed.append(Placed(placement: placement, members: placement.members.map { shape.fleet.index(of: $0)! }))
        }
        return placed
    }

    @Test("every placement keeps each rule the fleet allows, lists exactly the rules it breaks, and never mixes colors")
    func rulesHoldWheneverTheFleetAllows() async throws {
        try await OwnThread.run(heavy: true) {
            var relaxedSeen: [PlacementRule: Int] = [:]
            var checkedByBruteForce = 0
            for seed in 1...Self.fleets {
                let shape = RandomFleet.make(seed: seed)
                let placed = try Self.placeAll(shape)
                for (position, cell) in placed.enumerated() {
                    let earlier = placed[..<position].filter { $0.placement.request.color == cell.placement.request.color }
                    try Self.check(cell, earlier: Array(earlier), shape: shape, seed: seed, bruteForce: &checkedByBruteForce)
                    for relaxation in cell.placement.relaxed { relaxedSeen[relaxation.rule, default: 0] += 1 }
                }
            }
            // The shapes are varied enough that every rule had to give somewhere, and small
            // enough that many relaxations of the overlap bound were proven necessary.
            #expect(PlacementRule.allCases.allSatisfy { relaxedSeen[$0, default: 0] > 0 }, "relaxations seen: \(relaxedSeen)")
            #expect(checkedByBruteForce > 50)
        }
    }

    static func check(_ cell: Placed, earlier: [Placed], shape: RandomFleet, seed: UInt64, bruteForce: inout Int) throws {
        let fleet = shape.fleet
        let request = cell.placement.request
        let members = cell.members
        let pool = shape.active(request.color)
        let context = "fleet seed \(seed), \(request.cell), \(cell.placement.relaxed)"
        let majority = request.majority
        let minority = request.replicas - majority
        let bound = (request.replicas - 1) / 2

        #expect(members.count == request.replicas && Set(members).count == members.count, "\(context)")
        #expect(members.allSatisfy(pool.contains), "colors never mixed, only active nodes: \(context)")
        #expect(members.contains(fleet.index(of: cell.placement.preferredLeader)!), "\(context)")

        // Exactly the rules broken are listed.
        let nearZone = request.nearZone.flatMap { fleet.zoneIndex(of: $0) }
        let inNear = members.filter { fleet.zoneOfNode[$0] == nearZone }.count
        let overlapBroken = earlier.contains { Rules.shared($0.members, members) > bound }
        let broken: [PlacementRule: Bool] = [
            .zoneMajority: Rules.mostInOneZone(members, fleet) >= majority,
            .rackSpread: Rules.mostInOneRack(members, fleet) > 1,
            .overlapBound: overlapBroken,
            .nearZone: nearZone != nil && inNear < majority,
        ]
        for rule in PlacementRule.allCases {
            #expect(cell.placement.relaxes(rule) == broken[rule], "\(rule): \(context)")
        }
        if inNear > 0 {
            #expect(fleet.zoneOfNode[fleet.index(of: cell.placement.preferredLeader)!] == nearZone, "leader in the near zone: \(context)")
        }

        // Zones and racks give way only when the fleet cannot hold them.
        let zoneFits = Rules.zoneRuleFits(fleet, nodes: pool, replicas: request.replicas)
        let zoneCap = zoneFits ? minority : Self.evenZoneCap(fleet, nodes: pool, replicas: request.replicas)
        let rackFits = Rules.rackRuleFits(fleet, nodes: pool, replicas: request.replicas, zoneCap: zoneCap)
        if nearZone == nil {
            #expect(!zoneFits || !cell.placement.relaxes(.zoneMajority), "zone rule broken though it fits: \(context)")
            #expect(!rackFits || !cell.placement.relaxes(.rackSpread), "rack rule broken though it fits: \(context)")
        }

        // The overlap bound gives way only when no set keeping the zone and rack rules keeps it:
        // proven by trying every set, where there are few enough.
        if cell.placement.relaxes(.overlapBound) && pool.count <= 14 {
            bruteForce += 1
            let rackCap = Self.lowestRackCap(fleet, nodes: pool, replicas: request.replicas, zoneCap: zoneCap)
            let exists = Rules.anySubset(of: pool, size: request.replicas) { candidate in
                guard Rules.mostInOneZone(candidate, fleet) <= zoneCap else { return false }
                guard Rules.mostInOneRack(candidate, fleet) <= rackCap else { return false }
                return !earlier.contains { Rules.shared($0.members, candidate) > bound }
            }
            #expect(!exists, "a set keeping the overlap bound existed: \(context)")
        }
    }

    /// The lowest per-zone cap that fits the replicas, as the placer uses when the zone rule cannot hold.
    static func evenZoneCap(_ fleet: Fleet, nodes: [Int], replicas: Int) -> Int {
        let perZone = Dictionary(grouping: nodes) { fleet.zoneOfNode[$0] }.values.map(\.count)
        var cap = 1
        while perZone.reduce(0, { $0 + min(cap, $1) }) < replicas { cap += 1 }
        return cap
    }

    /// The lowest per-rack cap that fits the replicas under `zoneCap` per zone.
    static func lowestRackCap(_ fleet: Fleet, nodes: [Int], replicas: Int, zoneCap: Int) -> Int {
        let zones = Dictionary(grouping: nodes) { fleet.zoneOfNode[$0] }.values.map { zone in
            Dictionary(grouping: zone) { fleet.rackOfNode[$0] }.values.map(\.count)
        }
        var cap = 1
        while zones.reduce(0, { $0 + min(zoneCap, $1.reduce(0) { $0 + min(cap, $1) }) }) < replicas { cap += 1 }
        return cap
    }

    @Test("placement is deterministic: the same fleet, seed and cells give the same placements; another seed differs")
    func deterministic() async throws {
        try await OwnThread.run(heavy: true) {
            var differ = 0
            for seed in 1...UInt64(25) {
                let shape = RandomFleet.make(seed: seed)
                let first = try Self.placeAll(shape).map(\.placement)
                let second = try Self.placeAll(shape).map(\.placement)
                #expect(first == second, "fleet seed \(seed)")
                let other = try Self.placeAll(shape, configuration: PlacerConfiguration(seed: 99)).map(\.placement)
                if other != first { differ += 1 }
            }
            #expect(differ > 15)
        }
    }
}
