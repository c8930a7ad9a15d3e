extension BlastRadius {
    /// The pair of nodes whose joint failure takes most majorities (only 3-replica cells can
    /// lose theirs to two failures), then touches most cells: a pair `a, b` touches
    /// `replicas[a] + replicas[b] - shared(a, b)` cells, with `shared` counted for every pair.
    static func worstPair(fleet: Fleet, cells: CellTable, replicas: [Int]) -> Failure {
        let nodes = fleet.nodes.count
        guard nodes >= 2, var shared = SubsetCounts(size: 2, nodeCount: nodes) else {
            return Failure(name: "none", nodes: [], cellsLosingReplica: 0, cellsLosingMajority: 0)
        }
        shared.addSubsets(of: SortedCells(cells))
        // Only cells of 3 replicas lose their majority to two failures.
        let small = (0..<cells.count).filter { cells.replicas(of: $0) / 2 + 1 <= 2 }
        var lostTogether: SubsetCounts?
        if !small.isEmpty, var counts = SubsetCounts(size: 2, nodeCount: nodes) {
            counts.addSubsets(of: SortedCells(cells, cells: small) { $0 })
            lostTogether = counts
        }
        var best = (majorities: -1, touched: -1, first: 0, second: 1)
        var pairRank = 0
        // Ranks of pairs {a < b} run b by b: C(a, 1) + C(b, 2), so the loop walks them in order.
        for second in 1..<nodes {
            for first in 0..<second {
                let touched = replicas[first] + replicas[second] - Int(shared.counts[pairRank])
                let majorities = lostTogether.map { Int($0.counts[pairRank]) } ?? 0
                if (majorities, touched) > (best.majorities, best.touched) {
                    best = (majorities, touched, first, second)
                }
                pairRank += 1
            }
        }
        let ids = [fleet.nodes[best.first].id, fleet.nodes[best.second].id]
        return Failure(
            name: "\(ids[0])+\(ids[1])", nodes: ids.map(\.rawValue), cellsLosingReplica: best.touched,
            cellsLosingMajority: best.majorities)
    }
}
