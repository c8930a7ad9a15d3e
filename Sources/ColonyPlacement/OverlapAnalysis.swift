import ColonyCore

/// The shuffle-sharding figures of one color's cells of one replica count.
///
/// **Pairs sharing a majority or more**, exactly: every cell's majority-size subsets (35 sets
/// of 4 for 7 replicas) go into a `SubsetIndex`, which counts the sets held by several cells;
/// the cells holding those sets are the only pairs that can share a majority, and each such
/// pair's overlap is then counted directly. The largest holder count is the most cells one
/// majority of node failures can take down.
///
/// **Pairs sharing fewer nodes**, by inclusion–exclusion: with `N_t` = Σ over node sets `T`
/// of size `t` of C(cells holding T, 2) — which also equals Σ over pairs of C(shared, t) — the
/// count `P_k` of pairs sharing exactly `k` follows from the top down:
/// `P_k = N_k − Σ_{j>k} C(j, k) P_j`, and `P_0` is what is left of all C(cells, 2) pairs.
/// `N_t` needs a counter per node set of size `t`; when those would exceed
/// `SubsetCounts.entriesMax`, the counts below a majority are estimated from sampled pairs.
enum OverlapAnalysis {
    /// Pairs sampled when the distribution below a majority is too large to count exactly.
    static let sampledPairs = 2_000_000

    /// The figures for cells `group` (indices into `table`) of color `color` and `replicas` replicas.
    static func figures(
        fleet: Fleet, table: CellTable, group: [Int32], color: Int, replicas: Int, seed: UInt64
    ) -> OverlapFigures {
        let majority = replicas / 2 + 1
        var local = [Int](repeating: -1, count: fleet.nodes.count)
        var global: [Int] = []
        for node in fleet.nodes.indices where fleet.colorOfNode[node] == color {
            local[node] = global.count
            global.append(node)
        }
        let cells = SortedCells(table, cells: group.lazy.map { Int($0) }) { local[$0] }
        let held = majoritySets(cells, size: majority, nodes: global.count)
        let multiple = held.setsHeldMoreThanOnce
        var pairs = [UInt64](repeating: 0, count: replicas + 1)
        for (overlap, count) in pairsSharingAMajority(cells, held: held, multiple: multiple) {
            pairs[overlap] += count
        }
        let total = UInt64(cells.count) * UInt64(max(cells.count - 1, 0)) / 2
        var sampled: Int?
        if let sums = sumsOfSharedSubsets(cells, below: majority, nodes: global.count) {
            for shared in stride(from: majority - 1, through: 1, by: -1) {
                var above: UInt64 = 0
                for larger in (shared + 1)...replicas {
                    above += (SubsetRank.binomial(larger, shared) ?? 0) * pairs[larger]
                }
                pairs[shared] = sums[shared] - above
            }
        } else {
            sampled = sampledPairs
            let estimate = sampledDistribution(cells, replicas: replicas, seed: seed)
            for shared in 1..<majority {
                pairs[shared] = UInt64((estimate[shared] * Double(total)).rounded())
            }
        }
        pairs[0] = total - pairs[1...].reduce(0, +)
        let worst = multiple.max { ($0.value, $1.key) < ($1.value, $0.key) }
        let firstCell = cells.count > 0 ? cells.nodes[0..<min(majority, cells.starts[1])].map(Int.init) : []
        let worstNodes = (worst.map { held.rank.indices(of: $0.key) } ?? firstCell).map { global[$0] }
        let worstName = worstNodes.map { fleet.nodes[$0].id.description }.joined(separator: "+")
        return OverlapFigures(
            color: fleet.colors[color], replicas: replicas, cells: cells.count, nodes: global.count, pairs: pairs,
            pairsSampled: sampled,
            worstMajoritySet: BlastRadius.failure(of: worstNodes, named: worstName, fleet: fleet, cells: table),
            majoritySetsInSeveralCells: multiple.count,
            ideal: IdealFigures(nodes: global.count, replicas: replicas, cells: cells.count))
    }

    /// Every majority-size subset of every cell, counted.
    private static func majoritySets(_ cells: SortedCells, size: Int, nodes: Int) -> SubsetIndex {
        guard var held = SubsetIndex(size: size, nodeCount: nodes) else {
            preconditionFailure("sets of \(size) of at most \(Fleet.nodesMax) nodes rank in 64 bits")
        }
        cells.forEachBatch(rank: held.rank) { _, keys in held.insert(keys) }
        return held
    }

    /// For each overlap from a majority up, the pairs of cells sharing exactly that many nodes.
    private static func pairsSharingAMajority(_ cells: SortedCells, held: SubsetIndex, multiple: [UInt64: Int]) -> [Int: UInt64] {
        guard !multiple.isEmpty, var several = SubsetIndex(size: held.rank.size, nodeCount: held.rank.nodeCount) else { return [:] }
        for key in multiple.keys { several.insert(key) }
        var holders: [(key: UInt64, cell: Int)] = []
        cells.forEachBatch(rank: held.rank) { range, keys in
            var at = 0
            for cell in range {
                let end = at + cells.subsetCount(of: cell, size: held.rank.size)
                while at < end {
                    if several.contains(keys[at]) { holders.append((keys[at], cell)) }
                    at += 1
                }
            }
        }
        holders.sort { ($0.key, $0.cell) < ($1.key, $1.cell) }
        var pairs = Set<UInt64>()
        var start = 0
        while start < holders.count {
            var end = start + 1
            while end < holders.count && holders[end].key == holders[start].key { end += 1 }
            for first in start..<end {
                for second in (first + 1)..<end {
                    pairs.insert(UInt64(holders[first].cell) << 32 | UInt64(holders[second].cell))
                }
            }
            start = end
        }
        var byOverlap: [Int: UInt64] = [:]
        for pair in pairs {
            byOverlap[cells.shared(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)), default: 0] += 1
        }
        return byOverlap
    }

    /// `sums[t]` = Σ over node sets of size `t` of C(cells holding it, 2), for `t` from 1 below
    /// `majority`; nil when a counter per set would take too much memory.
    private static func sumsOfSharedSubsets(_ cells: SortedCells, below majority: Int, nodes: Int) -> [UInt64]? {
        var sums = [UInt64](repeating: 0, count: majority)
        for size in 1..<majority {
            guard var counts = SubsetCounts(size: size, nodeCount: nodes) else { return nil }
            counts.addSubsets(of: cells)
            sums[size] = counts.pairsSharingASet
        }
        return sums
    }

    /// The share of uniformly sampled pairs of distinct cells that share each number of nodes.
    private static func sampledDistribution(_ cells: SortedCells, replicas: Int, seed: UInt64) -> [Double] {
        var shares = [Double](repeating: 0, count: replicas + 1)
        guard cells.count >= 2 else { return shares }
        var generator = SplitMix64(seed: seed)
        for _ in 0..<sampledPairs {
            let first = Int(generator.next() % UInt64(cells.count))
            var second = Int(generator.next() % UInt64(cells.count - 1))
            if second >= first { second += 1 }
            shares[cells.shared(first, second)] += 1
        }
        return shares.map { $0 / Double(sampledPairs) }
    }
}
