/// How many cells hold each set of `rank.size` nodes, one 32-bit counter per possible set.
/// Used where every set matters (the pairs and triples behind the overlap distribution), and
/// only while `C(nodes, size)` counters stay within `entriesMax`.
struct SubsetCounts {
    /// The most counters (256 MiB of them) a count may use.
    static let entriesMax: UInt64 = 1 << 26

    let rank: SubsetRank
    private(set) var counts: [UInt32]

    /// Zeroed counters for every set of `size` of `nodeCount` nodes; nil when there would be
    /// more than `entriesMax`.
    init?(size: Int, nodeCount: Int) {
        guard let rank = SubsetRank(size: size, nodeCount: nodeCount), rank.count <= Self.entriesMax else { return nil }
        self.rank = rank
        counts = [UInt32](repeating: 0, count: Int(rank.count))
    }

    /// Counts every `rank.size`-subset of each cell of `cells` once more.
    mutating func addSubsets(of cells: SortedCells) {
        cells.forEachBatch(rank: rank) { _, keys in
            counts.withUnsafeMutableBufferPointer { counts in
                for key in keys { counts[Int(key)] &+= 1 }
            }
        }
    }

    /// The number of pairs of cells that both hold a set, summed over sets: Σ C(count, 2).
    var pairsSharingASet: UInt64 {
        counts.reduce(0) { total, count in
            let holders = UInt64(count)
            return total + (holders > 1 ? holders * (holders - 1) / 2 : 0)
        }
    }
}
