import ColonyCore
import ColonyPlacement
import Testing

@Suite("the overlap bound")
struct OverlapBoundTests {
    /// 3 zones × 3 racks × 2 nodes: 18 nodes, room for few 7-node cells sharing at most 3.
    static let tightFleet = FleetShape(zones: 3, racksPerZone: 3, nodesPerRack: 2)

    static func largestOverlap(cells: Int, configuration: PlacerConfiguration) throws -> (overlap: Int, relaxed: Int) {
        var placer = try Placer(fleet: try Fleet(shape: tightFleet), configuration: configuration)
        var placed: [Placement] = []
        for number in 0..<cells {
            placed.append(try placer.place(PlacementRequest(cell: CellID("tight-\(number)"))))
        }
        var largest = 0
        for first in placed.indices {
            for second in placed.indices where second > first {
                largest = max(largest, Set(placed[first].members).intersection(placed[second].members).count)
            }
        }
        return (largest, placed.filter { $0.relaxes(.overlapBound) }.count)
    }

    @Test("on a tight fleet no two cells share 4 nodes; without the overlap index they do")
    func indexKeepsTheBound() throws {
        let bounded = try Self.largestOverlap(cells: 6, configuration: PlacerConfiguration())
        #expect(bounded.overlap <= 3)
        #expect(bounded.relaxed == 0)
        // The same cells with the rule switched off (a bound of 7 needs no index): the least
        // loaded choice alone lets cells share 4 or more nodes.
        let unbounded = try Self.largestOverlap(cells: 6, configuration: PlacerConfiguration(overlapMax: 7))
        #expect(unbounded.overlap >= 4)
    }

    @Test("when the fleet runs out of sets sharing at most 3, the placement says so and shares as little as it can")
    func relaxationIsReported() throws {
        var placer = try Placer(fleet: try Fleet(shape: Self.tightFleet))
        var relaxed: [Placement] = []
        for number in 0..<40 {
            let placement = try placer.place(PlacementRequest(cell: CellID("full-\(number)")))
            if placement.relaxes(.overlapBound) { relaxed.append(placement) }
            #expect(!placement.relaxes(.zoneMajority) && !placement.relaxes(.rackSpread))
        }
        #expect(!relaxed.isEmpty)
        let reason = relaxed[0].relaxed.first { $0.rule == .overlapBound }!.reason
        #expect(reason.contains("share at most 3 with every earlier cell"))
        #expect(reason.contains("of its 35 sets of 4 nodes lie in earlier cells"))
    }

    @Test("a bound of 0 keeps cells of one color on disjoint nodes while there are nodes left")
    func disjointCells() throws {
        var placer = try Placer(fleet: try Fleet(shape: FleetShape(zones: 3, racksPerZone: 9, nodesPerRack: 1)), configuration: PlacerConfiguration(overlapMax: 0))
        let first = try placer.place(PlacementRequest(cell: CellID("a")))
        let second = try placer.place(PlacementRequest(cell: CellID("b")))
        let third = try placer.place(PlacementRequest(cell: CellID("c")))
        #expect(Set(first.members).isDisjoint(with: second.members))
        #expect(Set(third.members).union(first.members).union(second.members).count == 21)
        #expect(third.relaxed.isEmpty)
    }
}
