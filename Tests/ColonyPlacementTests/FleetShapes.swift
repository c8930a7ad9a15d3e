import ColonyCore
import ColonyPlacement

/// Seeded random fleets of many shapes, and what placing cells on them should keep.
struct RandomFleet {
    var fleet: Fleet
    var replicas: Int
    var nearZone: String?
    var colors: [String]

    /// A fleet from `seed`: 1–5 zones, 1–12 racks per zone, 1–12 nodes per rack (each zone
    /// and rack its own size, so fleets are uneven), 1–3 colors, one replica count of 3, 5, 7
    /// or 9, and half the time a near zone. `nodesMax` keeps fleets small enough for brute force.
    static func make(seed: UInt64, nodesMax: Int = 400) -> RandomFleet {
        var random = SplitMix64(seed: seed)
        func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        let zones = draw(1...5)
        let colorCount = draw(1...3)
        let colors = (1...colorCount).map { "c\($0)" }
        var nodes: [FleetNode] = []
        for zone in 1...zones {
            for rack in 1...draw(1...12) {
                for _ in 0..<draw(1...12) where nodes.count < nodesMax {
                    nodes.append(FleetNode(
                        id: NodeID(UInt32(nodes.count + 1)), zone: "z\(zone)", rack: "r\(rack)",
                        color: colors[Int(random.next() % UInt64(colorCount))]))
                }
            }
        }
        let replicas = [3, 5, 7, 9][draw(0...3)]
        let nearZone = draw(0...1) == 0 ? "z\(draw(1...zones))" : nil
        let fleet = try! Fleet(nodes: nodes)
        return RandomFleet(fleet: fleet, replicas: replicas, nearZone: nearZone, colors: fleet.colors)
    }

    /// Active nodes of `color`.
    func active(_ color: String) -> [Int] {
        fleet.nodes.indices.filter { fleet.nodes[$0].color == color && fleet.nodes[$0].state == .active }
    }
}

/// What the rules say about one set of nodes.
enum Rules {
    static func mostInOneZone(_ members: [Int], _ fleet: Fleet) -> Int {
        members.map { node in members.filter { fleet.zoneOfNode[$0] == fleet.zoneOfNode[node] }.count }.max() ?? 0
    }

    static func mostInOneRack(_ members: [Int], _ fleet: Fleet) -> Int {
        members.map { node in members.filter { fleet.rackOfNode[$0] == fleet.rackOfNode[node] }.count }.max() ?? 0
    }

    static func shared(_ first: [Int], _ second: [Int]) -> Int {
        first.filter(second.contains).count
    }

    /// Whether `color` can hold `replicas` with at most a minority per zone (3+ zones).
    static func zoneRuleFits(_ fleet: Fleet, nodes: [Int], replicas: Int) -> Bool {
        let minority = replicas - (replicas / 2 + 1)
        let perZone = Dictionary(grouping: nodes) { fleet.zoneOfNode[$0] }
        return perZone.count >= 3 && perZone.values.reduce(0) { $0 + min(minority, $1.count) } >= replicas
    }

    /// Whether `nodes` can hold `replicas` one per rack with at most `zoneCap` per zone.
    static func rackRuleFits(_ fleet: Fleet, nodes: [Int], replicas: Int, zoneCap: Int) -> Bool {
        let racksPerZone = Dictionary(grouping: nodes) { fleet.zoneOfNode[$0] }.mapValues { Set($0.map { fleet.rackOfNode[$0] }).count }
        return racksPerZone.values.reduce(0) { $0 + min(zoneCap, $1) } >= replicas
    }

    /// Calls `body` with every `size`-subset of `items` until it returns true; whether any did.
    static func anySubset(of items: [Int], size: Int, _ body: ([Int]) -> Bool) -> Bool {
        var chosen: [Int] = []
        func walk(_ from: Int) -> Bool {
            if chosen.count == size { return body(chosen) }
            guard items.count - from >= size - chosen.count else { return false }
            for at in from..<items.count {
                chosen.append(items[at])
                if walk(at + 1) { return true }
                chosen.removeLast()
            }
            return false
        }
        return walk(0)
    }
}
