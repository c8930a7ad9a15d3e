import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Foundation
import Testing

@Suite("blast-radius analysis")
struct BlastRadiusTests {
    /// A random table of `cells` cells of `replicas` on `fleet`, with some cells made to share
    /// many nodes so that sets lie in several cells.
    static func table(fleet: Fleet, cells: Int, replicas: Int, seed: UInt64) throws -> CellTable {
        var template = CellTable()
        for number in 0..<cells { template.append(members: Array(0..<replicas), leader: 0, name: "t\(number)") }
        return try RandomPlacement.place(like: template, fleet: fleet, seed: seed)
    }

    static func members(_ table: CellTable, _ cell: Int) -> [Int] {
        table.members(of: cell).map(Int.init)
    }

    @Test("overlap counts, worst majority set and domain failures match a brute-force count on small fleets")
    func matchesBruteForce() async throws {
        try await OwnThread.run(heavy: true) {
            for seed in 1...UInt64(8) {
                let replicas = [3, 5, 7][Int(seed % 3)]
                let fleet = try Fleet(shape: FleetShape(zones: 3, racksPerZone: 2, nodesPerRack: 2 + Int(seed % 3)))
                let table = try Self.table(fleet: fleet, cells: 60 + Int(seed) * 10, replicas: replicas, seed: seed)
                let report = BlastRadius.analyze(fleet: fleet, cells: table)
                let group = try #require(report.groups.first)
                #expect(report.groups.count == 1 && group.pairsSampled == nil)

                var pairs = [UInt64](repeating: 0, count: replicas + 1)
                for first in 0..<table.count {
                    for second in (first + 1)..<table.count {
                        pairs[Rules.shared(Self.members(table, first), Self.members(table, second))] += 1
                    }
                }
                #expect(group.pairs == pairs, "seed \(seed)")

                let majority = replicas / 2 + 1
                var worst = 0
                _ = Rules.anySubset(of: Array(fleet.nodes.indices), size: majority) { set in
                    let taken = (0..<table.count).filter { cell in set.allSatisfy(Self.members(table, cell).contains) }.count
                    worst = max(worst, taken)
                    return false
                }
                #expect(group.worstMajoritySet.cellsLosingMajority == worst, "seed \(seed)")
                let worstSet = group.worstMajoritySet.nodes.map { fleet.index(of: NodeID($0))! }
                #expect(BlastRadius.failure(of: worstSet, named: "", fleet: fleet, cells: table).cellsLosingMajority == worst)

                for zone in fleet.zones.indices {
                    let failed = fleet.nodes.indices.filter { fleet.zoneOfNode[$0] == zone }
                    let direct = BlastRadius.failure(of: failed, named: "", fleet: fleet, cells: table)
                    #expect(report.zoneFailures.each[zone].cellsLosingReplica == direct.cellsLosingReplica)
                    #expect(report.zoneFailures.each[zone].cellsLosingMajority == direct.cellsLosingMajority)
                }
                for rack in fleet.racks.indices {
                    let failed = fleet.nodes.indices.filter { fleet.rackOfNode[$0] == rack }
                    let direct = BlastRadius.failure(of: failed, named: "", fleet: fleet, cells: table)
                    #expect(report.rackFailures.each[rack].cellsLosingMajority == direct.cellsLosingMajority)
                }
                var worstPair = (0, 0)
                for first in fleet.nodes.indices {
                    for second in fleet.nodes.indices where second > first {
                        let direct = BlastRadius.failure(of: [first, second], named: "", fleet: fleet, cells: table)
                        if (direct.cellsLosingMajority, direct.cellsLosingReplica) > worstPair {
                            worstPair = (direct.cellsLosingMajority, direct.cellsLosingReplica)
                        }
                    }
                }
                #expect(report.worstNodePair.cellsLosingMajority == worstPair.0 && report.worstNodePair.cellsLosingReplica == worstPair.1)
            }
        }
    }

    @Test("placed cells lose no majority to any node, rack or zone, and no 4 nodes take two cells; random placement does worse")
    func placedBeatsRandom() async throws {
        try await OwnThread.run(heavy: true) {
            let fleet = try Fleet(shape: FleetShape(zones: 3, racksPerZone: 4, nodesPerRack: 4))
            let outcome = try WhatIf(fleet: fleet, cells: 400).place()
            #expect(outcome.relaxedCells.isEmpty)
            let placed = BlastRadius.analyze(fleet: fleet, cells: outcome.table)
            #expect(placed.zoneFailures.mostMajoritiesLost.cellsLosingMajority == 0)
            #expect(placed.rackFailures.mostMajoritiesLost.cellsLosingMajority == 0)
            #expect(placed.nodeFailures.mostMajoritiesLost.cellsLosingMajority == 0)
            #expect(placed.groups[0].worstMajoritySet.cellsLosingMajority == 1)
            #expect(placed.groups[0].pairs[4...].allSatisfy { $0 == 0 })
            #expect(placed.load.replicasMax - placed.load.replicasMin <= 2)
            let random = BlastRadius.analyze(fleet: fleet, cells: try RandomPlacement.place(like: outcome.table, fleet: fleet, seed: 1))
            #expect(random.zoneFailures.mostMajoritiesLost.cellsLosingMajority > 0)
            #expect(random.groups[0].worstMajoritySet.cellsLosingMajority > 1)
            #expect(random.groups[0].pairs.reduce(0, +) == placed.groups[0].pairs.reduce(0, +))
        }
    }

    @Test("the ideal's arithmetic: binomials, and overlap chances that sum to one")
    func idealArithmetic() {
        let ideal = IdealFigures(nodes: 300, replicas: 7, cells: 1_000_000)
        #expect(ideal.majoritySets == 330_791_175)
        #expect(ideal.nodeSets == 40_438_559_561_396)
        #expect(abs(ideal.overlapChance.reduce(0, +) - 1) < 1e-12)
        #expect(Int(ideal.cellsMaxSharingLessThanMajority) == 9_451_176)
        #expect(ideal.randomMajoritySetsInAtLeast[0] == ideal.majoritySets)
        #expect((4...7).contains(ideal.randomWorstMajoritySetExpected))
        #expect(SubsetRank.binomial(300, 4) == 330_791_175)
        #expect(SubsetRank.binomial(64, 32) == 1_832_624_140_942_590_534)
        #expect(SubsetRank.binomial(10_000, 9) == nil)
    }

    @Test("the picture has a square per node, crosses out the failed ones and names the lost majorities")
    func picture() throws {
        let fleet = try Fleet(shape: FleetShape(zones: 2, racksPerZone: 2, nodesPerRack: 2))
        var table = CellTable()
        table.append(members: [0, 1, 2], leader: 0, name: "in-rack-one")
        table.append(members: [4, 5, 6], leader: 4, name: "elsewhere")
        let failed = try FailureTarget.rack(zone: "z1", rack: "r1").nodes(in: fleet)
        let svg = BlastRadiusPicture.svg(fleet: fleet, cells: table, title: "test <colony>", failure: ("z1/r1", failed))
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        // Eight nodes: squares large enough to carry each node's id and count.
        #expect(svg.components(separatedBy: "width=\"34\"").count - 1 == 8)
        #expect(fleet.nodes.allSatisfy { svg.contains(">\($0.id)</text>") })
        #expect(svg.contains("0 to 1 replicas of touched cells"))
        #expect(svg.components(separatedBy: "stroke=\"white\"").count - 1 == 2)
        #expect(svg.contains("1 cells lose a replica, 1 lose their majority"))
        #expect(svg.contains("Majority lost: in-rack-one"))
        #expect(svg.contains("test &lt;colony&gt;"))
    }

    @Test("a large fleet gets small squares without labels, and a fleet where every node holds as many says so")
    func pictureScales() throws {
        let fleet = try Fleet(shape: FleetShape(zones: 3, racksPerZone: 4, nodesPerRack: 6))
        var table = CellTable()
        for first in stride(from: 0, to: 72, by: 3) {
            table.append(members: [first, first + 1, first + 2], leader: first, name: "c\(first)")
        }
        let svg = BlastRadiusPicture.svg(fleet: fleet, cells: table, title: "72 nodes")
        #expect(svg.components(separatedBy: "width=\"14\"").count - 1 == 72)
        #expect(!svg.contains(">\(fleet.nodes[0].id)</text>"))
        #expect(svg.contains("every node holds 1 replicas"))
    }
}
