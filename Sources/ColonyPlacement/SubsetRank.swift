/// Numbers every set of `size` node indices drawn from `0..<nodeCount` by its place in the
/// combinatorial number system: the set `{a < b < c < d}` gets `C(a,1) + C(b,2) + C(c,3) + C(d,4)`.
///
/// The rank of a set does not depend on `nodeCount`, so adding nodes keeps every rank and
/// only widens the range, and ranks are dense: `0..<count` names every set exactly once.
/// That makes the rank usable both as a bit position (a dense index) and as a hash key.
public struct SubsetRank: Hashable, Sendable {
    /// How many node indices each ranked set holds.
    public let size: Int
    /// How many nodes the ranks cover (indices `0..<nodeCount`).
    public let nodeCount: Int
    /// How many sets there are: `C(nodeCount, size)`.
    public let count: UInt64
    /// `binomials[size * value + k]` is `C(value, k + 1)` for `k < size`.
    private let binomials: [UInt64]

    /// Ranks sets of `size` indices drawn from `0..<nodeCount`; nil when `C(nodeCount, size)`
    /// does not fit in 64 bits.
    public init?(size: Int, nodeCount: Int) {
        precondition(size >= 1 && size <= 16 && nodeCount >= 0, "subset size \(size) of \(nodeCount) nodes")
        guard let total = Self.binomial(nodeCount, size) else { return nil }
        var table = [UInt64](repeating: 0, count: size * max(nodeCount, 1))
        for value in 0..<nodeCount {
            for k in 0..<size {
                // C(value, k + 1) <= C(nodeCount, size) whenever it matters; a larger value
                // can only appear for sets that do not exist, so saturating is harmless.
                table[size * value + k] = Self.binomial(value, k + 1) ?? UInt64.max
            }
        }
        self.size = size
        self.nodeCount = nodeCount
        self.count = total
        self.binomials = table
    }

    /// The rank of the set whose indices are `sorted` (strictly ascending, `size` of them).
    @inline(__always)
    public func rank(sorted: UnsafeBufferPointer<Int>) -> UInt64 {
        var total: UInt64 = 0
        for k in 0..<size {
            total &+= binomials[size * sorted[k] + k]
        }
        return total
    }

    /// The rank of the set whose indices are `sorted` (strictly ascending, `size` of them).
    public func rank(sorted: [Int]) -> UInt64 {
        precondition(sorted.count == size, "ranking \(sorted.count) indices as a set of \(size)")
        return sorted.withUnsafeBufferPointer { rank(sorted: $0) }
    }

    /// The rank of the set made of the positions of `sorted` chosen by `mask` (bit `i` picks
    /// `sorted[i]`; `mask` has `size` bits set; `sorted` ascending).
    @inline(__always)
    public func rank(choosing mask: UInt16, of sorted: [Int]) -> UInt64 {
        var total: UInt64 = 0
        var k = 0
        var bits = mask
        while bits != 0 {
            let position = bits.trailingZeroBitCount
            bits &= bits - 1
            total &+= binomials[size * sorted[position] + k]
            k += 1
        }
        return total
    }

    /// The rank of the set made of the positions of `sorted` chosen by `mask` (`size` bits set).
    @inline(__always)
    public func rank(choosing mask: UInt16, of sorted: UnsafeBufferPointer<UInt16>) -> UInt64 {
        var total: UInt64 = 0
        var k = 0
        var bits = mask
        while bits != 0 {
            let position = bits.trailingZeroBitCount
            bits &= bits - 1
            total &+= binomials[size * Int(sorted[position]) + k]
            k += 1
        }
        return total
    }

    /// Writes the rank of every `size`-subset of each cell of `cells[range]` to `keys` (which
    /// has room for them), cell after cell, and returns how many it wrote.
    func ranks(of cells: SortedCells, _ range: Range<Int>, into keys: UnsafeMutableBufferPointer<UInt64>) -> Int {
        var written = 0
        cells.nodes.withUnsafeBufferPointer { nodes in
            binomials.withUnsafeBufferPointer { binomials in
                let (masks, starts) = SubsetMasks.byCount[size]
                masks.withUnsafeBufferPointer { masks in
                    for cell in range {
                        let first = cells.starts[cell]
                        let count = cells.starts[cell + 1] - first
                        for at in starts[count]..<starts[count + 1] {
                            var total: UInt64 = 0
                            var k = 0
                            var bits = masks[at]
                            while bits != 0 {
                                let position = bits.trailingZeroBitCount
                                bits &= bits - 1
                                total &+= binomials[size &* Int(nodes[first &+ position]) &+ k]
                                k &+= 1
                            }
                            keys[written] = total
                            written += 1
                        }
                    }
                }
            }
        }
        return written
    }

    /// The rank of the set made of the positions of `sorted` chosen by `mask` (`size - 1` bits
    /// set) together with `extra`, which is not in `sorted`.
    @inline(__always)
    public func rank(choosing mask: UInt16, of sorted: [Int], adding extra: Int) -> UInt64 {
        var total: UInt64 = 0
        var k = 0
        var placed = false
        var bits = mask
        while bits != 0 {
            let position = bits.trailingZeroBitCount
            bits &= bits - 1
            let value = sorted[position]
            if !placed && extra < value {
                total &+= binomials[size * extra + k]
                k += 1
                placed = true
            }
            total &+= binomials[size * value + k]
            k += 1
        }
        if !placed {
            total &+= binomials[size * extra + k]
        }
        return total
    }

    /// The indices of the set ranked `rank`, ascending (the inverse of `rank(sorted:)`).
    public func indices(of rank: UInt64) -> [Int] {
        precondition(rank < count, "rank \(rank) of \(count) sets")
        var remaining = rank
        var result = [Int](repeating: 0, count: size)
        var upper = nodeCount
        for k in stride(from: size - 1, through: 0, by: -1) {
            var value = upper - 1
            while binomials[size * value + k] > remaining { value -= 1 }
            result[k] = value
            remaining -= binomials[size * value + k]
            upper = value
        }
        return result
    }

    /// `C(n, k)`, or nil when it does not fit in 64 bits.
    public static func binomial(_ n: Int, _ k: Int) -> UInt64? {
        guard k >= 0, n >= 0 else { return 0 }
        guard k <= n else { return 0 }
        let k = min(k, n - k)
        var result: UInt64 = 1
        for step in 0..<k {
            // result * (n - step) / (step + 1) stays exact: result * (n - step) is divisible.
            let (product, overflow) = result.multipliedReportingOverflow(by: UInt64(n - step))
            guard !overflow else { return binomialWide(n, k) }
            result = product / UInt64(step + 1)
        }
        return result
    }

    /// `C(n, k)` through 128-bit intermediate products, for values whose running product
    /// overflows 64 bits even though the result fits.
    private static func binomialWide(_ n: Int, _ k: Int) -> UInt64? {
        var result: UInt64 = 1
        for step in 0..<k {
            let (high, low) = result.multipliedFullWidth(by: UInt64(n - step))
            let divisor = UInt64(step + 1)
            guard high < divisor else { return nil }
            result = divisor.dividingFullWidth((high, low)).quotient
        }
        return result
    }
}

/// The ways to choose `size` of the first `count` positions, as bit masks: position `i` is
/// chosen when bit `i` is set. The search and the analysis walk every sub-set of a cell
/// through these masks instead of recursing.
public enum SubsetMasks {
    /// `table[size][count]`: `masks(choosing: size, of: count)` for every size and count up to 10.
    public static let table: [[[UInt16]]] = (0...10).map { size in
        (0...10).map { count in size <= count ? masks(choosing: size, of: count) : [] }
    }

    /// `byCount[size]`: for each count from 0 to 10, the masks choosing `size` of them, one
    /// after another: `masks[starts[count]..<starts[count + 1]]` (empty when `size > count`).
    /// The search walks these without touching nested arrays.
    public static let byCount: [(masks: [UInt16], starts: [Int])] = (0...10).map { size in
        var flat: [UInt16] = []
        var starts: [Int] = []
        for count in 0...10 {
            starts.append(flat.count)
            if size <= count { flat += SubsetMasks.masks(choosing: size, of: count) }
        }
        starts.append(flat.count)
        return (flat, starts)
    }

    /// Every mask of `count` bits with `size` bits set, ascending; `count` at most 16.
    public static func masks(choosing size: Int, of count: Int) -> [UInt16] {
        precondition(count <= 16 && size >= 0 && size <= count, "choosing \(size) of \(count)")
        return (0..<(1 << count)).compactMap { mask in
            mask.nonzeroBitCount == size ? UInt16(mask) : nil
        }
    }
}
