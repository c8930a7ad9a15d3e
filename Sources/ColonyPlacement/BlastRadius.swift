import ColonyCore

/// The blast radius of faults on placed cells: for every node, rack and zone, and for the
/// worst pair of nodes, how many cells lose a replica and how many lose their majority; and
/// for each color and replica count, the distribution of pairwise overlaps and the most
/// cells any majority-size set of node failures takes down, beside the ideal's arithmetic.
///
/// The analysis reads only the fleet and a `CellTable`; it knows nothing of how the cells
/// were placed, so it judges the placer and random placement alike.
public enum BlastRadius {
    /// The report for `cells` on `fleet`; `seed` draws the sample of pairs when the overlap
    /// distribution is too large to count exactly.
    public static func analyze(fleet: Fleet, cells: CellTable, seed: UInt64 = 0) -> BlastRadiusReport {
        var replicas = [Int](repeating: 0, count: fleet.nodes.count)
        var leaders = [Int](repeating: 0, count: fleet.nodes.count)
        for cell in 0..<cells.count {
            for node in cells.members(of: cell) { replicas[Int(node)] += 1 }
            leaders[cells.leader(of: cell)] += 1
        }
        let groups = groupsByColorAndReplicas(fleet: fleet, cells: cells)
        return BlastRadiusReport(
            cells: cells.count,
            nodes: fleet.nodes.count,
            load: loadFigures(fleet: fleet, replicas: replicas, leaders: leaders),
            nodeFailures: domainFailures(fleet: fleet, cells: cells, domains: fleet.nodes.count, domainOf: Array(0..<fleet.nodes.count)) {
                fleet.nodes[$0].id.description
            },
            rackFailures: domainFailures(fleet: fleet, cells: cells, domains: fleet.racks.count, domainOf: fleet.rackOfNode) {
                fleet.rackName($0)
            },
            zoneFailures: domainFailures(fleet: fleet, cells: cells, domains: fleet.zones.count, domainOf: fleet.zoneOfNode) {
                fleet.zones[$0]
            },
            worstNodePair: worstPair(fleet: fleet, cells: cells, replicas: replicas),
            groups: groups.map { group in
                OverlapAnalysis.figures(
                    fleet: fleet, table: cells, group: group.cells, color: group.color, replicas: group.replicas, seed: seed)
            })
    }

    /// What the failure of the nodes `failed` (node indices) does to `cells`, named `name`.
    public static func failure(of failed: [Int], named name: String, fleet: Fleet, cells: CellTable) -> Failure {
        var isFailed = [Bool](repeating: false, count: fleet.nodes.count)
        for node in failed { isFailed[node] = true }
        var touched = 0
        var majoritiesLost = 0
        for cell in 0..<cells.count {
            let lost = cells.members(of: cell).reduce(0) { $0 + (isFailed[Int($1)] ? 1 : 0) }
            if lost > 0 { touched += 1 }
            if lost >= cells.replicas(of: cell) / 2 + 1 { majoritiesLost += 1 }
        }
        return Failure(
            name: name, nodes: failed.map { fleet.nodes[$0].id.rawValue }, cellsLosingReplica: touched,
            cellsLosingMajority: majoritiesLost)
    }

    private static func loadFigures(fleet: Fleet, replicas: [Int], leaders: [Int]) -> LoadFigures {
        let active = fleet.nodes.indices.filter { fleet.nodes[$0].state == .active }
        let counted = active.isEmpty ? Array(fleet.nodes.indices) : active
        let replicaCounts = counted.map { replicas[$0] }
        let leaderCounts = counted.map { leaders[$0] }
        return LoadFigures(
            nodes: counted.count,
            replicasMin: replicaCounts.min() ?? 0, replicasMax: replicaCounts.max() ?? 0,
            replicasMean: Double(replicaCounts.reduce(0, +)) / Double(max(counted.count, 1)),
            leadersMin: leaderCounts.min() ?? 0, leadersMax: leaderCounts.max() ?? 0,
            leadersMean: Double(leaderCounts.reduce(0, +)) / Double(max(counted.count, 1)))
    }

    /// Each domain's failure, where node `i` is in domain `domainOf[i]`.
    private static func domainFailures(
        fleet: Fleet, cells: CellTable, domains: Int, domainOf: [Int], name: (Int) -> String
    ) -> DomainFailures {
        var touched = [Int](repeating: 0, count: domains)
        var majoritiesLost = [Int](repeating: 0, count: domains)
        var seen: [(domain: Int, count: Int)] = []
        for cell in 0..<cells.count {
            seen.removeAll(keepingCapacity: true)
            for node in cells.members(of: cell) {
                let domain = domainOf[Int(node)]
                if let at = seen.firstIndex(where: { $0.domain == domain }) {
                    seen[at].count += 1
                } else {
                    seen.append((domain, 1))
                }
            }
            let majority = cells.replicas(of: cell) / 2 + 1
            for (domain, count) in seen {
                touched[domain] += 1
                if count >= majority { majoritiesLost[domain] += 1 }
            }
        }
        let nodesOf = (0..<domains).map { _ in [UInt32]() }
        var members = nodesOf
        for (node, domain) in domainOf.enumerated() { members[domain].append(fleet.nodes[node].id.rawValue) }
        let each = (0..<domains).map {
            Failure(name: name($0), nodes: members[$0], cellsLosingReplica: touched[$0], cellsLosingMajority: majoritiesLost[$0])
        }
        let empty = Failure(name: "none", nodes: [], cellsLosingReplica: 0, cellsLosingMajority: 0)
        return DomainFailures(
            each: each,
            mostTouching: each.max { $0.cellsLosingReplica < $1.cellsLosingReplica } ?? empty,
            mostMajoritiesLost: each.max {
                ($0.cellsLosingMajority, $0.cellsLosingReplica) < ($1.cellsLosingMajority, $1.cellsLosingReplica)
            } ?? empty,
            domainsTakingAMajority: majoritiesLost.reduce(0) { $0 + ($1 > 0 ? 1 : 0) })
    }

    /// The cells grouped by (color of the first member, replica count), in color then size order.
    static func groupsByColorAndReplicas(fleet: Fleet, cells: CellTable) -> [(color: Int, replicas: Int, cells: [Int32])] {
        var groups: [Int: [Int32]] = [:]
        for cell in 0..<cells.count {
            guard let first = cells.members(of: cell).first else { continue }
            let key = fleet.colorOfNode[Int(first)] * 16 + cells.replicas(of: cell)
            groups[key, default: []].append(Int32(cell))
        }
        return groups.keys.sorted().map { key in (key / 16, key % 16, groups[key] ?? []) }
    }
}
