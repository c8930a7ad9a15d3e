import ColonyCore
import ColonyPlacement

/// Where the simulated colony's nodes stand: every node's zone and rack, laid out from the
/// seed, so seeds differ in how the placer's rules can be kept.
///
/// Every zone gets one of the fleet's nodes, in an order drawn from the seed; then half the
/// seeds spread the rest evenly and the other half put each in a zone drawn at random, so
/// some zones are large enough to hold a near-zone majority and some too small to keep
/// the zone rule. Independently, half the seeds put one node in each rack, the other half
/// two (so a 9-node colony may have too few racks for seven replicas on distinct racks, and
/// the placer must relax that rule and say so). Each spare node sits in a rack of its own,
/// in the zones in turn.
struct FleetLayout {
    /// Every node's place, by node index: the fleet's nodes first, then the spares.
    let nodes: [FleetNode]
    /// How many of `nodes` start in the fleet; the rest are spares.
    let fleetCount: Int

    /// The layout of `options`' nodes for the run seeded `seed`.
    init(options: SimulationOptions, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let nodesPerRack = 1 + Int(random.next() % 2)
        let isEven = random.next() % 2 == 0
        var nodesInZone = [Int](repeating: 0, count: options.zones)
        var places = [(zone: Int, rack: Int)](repeating: (0, 0), count: options.nodes)
        for (position, index) in Array(0..<options.nodes).shuffled(using: &random).enumerated() {
            let zone = position < options.zones || isEven ? position % options.zones : Int(random.next() % UInt64(options.zones))
            places[index] = (zone, nodesInZone[zone] / nodesPerRack)
            nodesInZone[zone] += 1
        }
        var nodes = places.enumerated().map { index, place in
            FleetNode(id: NodeID(UInt32(index + 1)), zone: "z\(place.zone + 1)", rack: "r\(place.rack + 1)")
        }
        for spare in 0..<options.spareNodes {
            nodes.append(FleetNode(
                id: NodeID(UInt32(options.nodes + spare + 1)), zone: "z\(spare % options.zones + 1)", rack: "spare\(spare + 1)"))
        }
        self.nodes = nodes
        self.fleetCount = options.nodes
    }

    /// The fleet the colony starts with: every node but the spares, all active.
    var initialFleet: Fleet {
        do {
            return try Fleet(nodes: Array(nodes.prefix(fleetCount)))
        } catch {
            preconditionFailure("Invalid state: a laid-out fleet is valid by construction: \(error)")
        }
    }
}
