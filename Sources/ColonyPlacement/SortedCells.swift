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

    /// How many nodes cells `first` and `second` share.
    func shared(_ first: Int, _ second: Int) -> Int {
        var count = 0
        for node in nodes[starts[first]..<starts[first + 1]] where nodes[starts[second]..<starts[second + 1]].contains(node) {
            count += 1
        }
        return count
    }
}
