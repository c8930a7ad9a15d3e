/// Cells' members sorted ascending, flat: the form the analysis ranks subsets from.
struct SortedCells {
    /// Every cell's members, ascending within each cell.
    var nodes: [UInt16] = []
    /// Where each cell starts in `nodes`; one more entry than there are cells.
    var starts: [Int] = [0]

    /// Cells held.
    var count: Int { starts.count - 1 }

    /// The cells of `table`, their node indices as they are.
    init(_ table: CellTable) {
        self.init(table, cells: 0..<table.count) { $0 }
    }

    /// The cells `cells` of `table`, each node index mapped through `map` and dropped when
    /// `map` gives a negative number.
    init<Cells: Sequence<Int>>(_ table: CellTable, cells: Cells, map: (Int) -> Int) {
        var scratch: [UInt16] = []
        for cell in cells {
            scratch.removeAll(keepingCapacity: true)
            for node in table.members(of: cell) {
                let mapped = map(Int(node))
                if mapped >= 0 { scratch.append(UInt16(mapped)) }
            }
            scratch.sort()
            nodes.append(contentsOf: scratch)
            starts.append(nodes.count)
        }
    }

    /// Calls `body` with batches of consecutive cells and the ranks of all their subsets of
    /// `rank.size` nodes, cell after cell. Ranking a batch first and then touching memory in
    /// one tight loop lets the processor overlap the cache misses of a large index or count.
    func forEachBatch(rank: SubsetRank, _ body: (Range<Int>, UnsafeBufferPointer<UInt64>) -> Void) {
        let cellsPerBatch = 512
        let starts = SubsetMasks.byCount[rank.size].starts
        let perCellMax = (0...PlacementRequest.replicasMax).map { starts[$0 + 1] - starts[$0] }.max() ?? 0
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: cellsPerBatch * max(perCellMax, 1)) { keys in
            var first = 0
            while first < count {
                let range = first..<min(first + cellsPerBatch, count)
                let written = rank.ranks(of: self, range, into: keys)
                body(range, UnsafeBufferPointer(rebasing: keys[0..<written]))
                first = range.upperBound
            }
        }
    }

    /// How many subsets of `size` nodes cell `cell` has.
    func subsetCount(of cell: Int, size: Int) -> Int {
        let starts = SubsetMasks.byCount[size].starts
        let members = self.starts[cell + 1] - self.starts[cell]
        return starts[members + 1] - starts[members]
    }

    /// How many nodes cells `first` and `second` share (a merge of their ascending members).
    func shared(_ first: Int, _ second: Int) -> Int {
        nodes.withUnsafeBufferPointer { nodes in
            var left = starts[first]
            var right = starts[second]
            let leftEnd = starts[first + 1]
            let rightEnd = starts[second + 1]
            var count = 0
            while left < leftEnd && right < rightEnd {
                if nodes[left] == nodes[right] {
                    count += 1
                    left += 1
                    right += 1
                } else if nodes[left] < nodes[right] {
                    left += 1
                } else {
                    right += 1
                }
            }
            return count
        }
    }
}
