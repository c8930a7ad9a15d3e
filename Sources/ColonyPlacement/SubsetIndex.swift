/// A multiset of ranked node sets: how many placed cells hold each set of `rank.size` nodes.
///
/// The placer keeps one per subset size to bound overlap: a new cell may share at most
/// `size - 1` nodes with any earlier cell exactly when none of its `size`-subsets is already
/// here. Almost every set is held by no cell or by one, so the index stores "held at least
/// once" as one bit per possible set while that fits in `denseBitsMax` bits (41 MB for every
/// 4-subset of 300 nodes, whatever the number of cells), and in a hash set beyond; the rare
/// sets held by two or more cells (only cells placed with the bound relaxed make them) are
/// counted apart, so removing a cell never forgets a set another cell still holds.
public struct SubsetIndex: Sendable {
    /// The largest dense index, in bits (128 MiB); beyond it the index hashes.
    public static let denseBitsMax: UInt64 = 1 << 30

    /// How sets are ranked; `rank.size` is the size of the sets held.
    public private(set) var rank: SubsetRank
    /// One bit per possible set while the index is dense; empty when it hashes.
    private var words: [UInt64]
    /// The sets held, when the index hashes.
    private var hashed: Set<UInt64> = []
    /// Whether `words` holds the sets (else `hashed`).
    private var isDense: Bool
    /// Sets held by more than one cell: the number of holders beyond the first.
    private var extraHolders: [UInt64: Int] = [:]
    /// The most bits the index spends on a dense bit array.
    private let denseBitsLimit: UInt64

    /// An empty index of sets of `size` nodes among `nodeCount`; nil when their ranks do not
    /// fit in 64 bits. `denseBitsMax` chooses between a bit per set and a hash set.
    public init?(size: Int, nodeCount: Int, denseBitsMax: UInt64 = SubsetIndex.denseBitsMax) {
        guard let rank = SubsetRank(size: size, nodeCount: nodeCount) else { return nil }
        self.rank = rank
        denseBitsLimit = denseBitsMax
        isDense = rank.count <= denseBitsMax
        words = isDense ? [UInt64](repeating: 0, count: Int((rank.count + 63) / 64)) : []
    }

    /// Bytes the index holds (the bit array, or an estimate of the hash set's table).
    public var bytes: Int {
        words.count * 8 + hashed.capacity * 8 * 4 / 3 + extraHolders.capacity * 24
    }

    /// The sets held by two or more cells, with the number of cells holding each.
    public var setsHeldMoreThanOnce: [UInt64: Int] {
        extraHolders.mapValues { $0 + 1 }
    }

    /// Whether at least one cell holds the set ranked `key`.
    @inline(__always)
    public func contains(_ key: UInt64) -> Bool {
        isDense ? words[Int(key >> 6)] & (1 << (key & 63)) != 0 : hashed.contains(key)
    }

    /// How many of the sets ranked `keys` are held. The dense index reads every word before
    /// it looks at any, so the memory reads overlap instead of waiting one after another.
    public func countHeld(_ keys: UnsafeBufferPointer<UInt64>) -> Int {
        guard isDense else { return keys.reduce(0) { $0 + (hashed.contains($1) ? 1 : 0) } }
        return words.withUnsafeBufferPointer { words in
            var held = 0
            for key in keys {
                held &+= Int(truncatingIfNeeded: (words[Int(key >> 6)] >> (key & 63)) & 1)
            }
            return held
        }
    }

    /// Records one more cell holding each of the sets ranked `keys` (distinct keys).
    public mutating func insert(_ keys: UnsafeBufferPointer<UInt64>) {
        guard isDense else {
            for key in keys { insert(key) }
            return
        }
        var again: [UInt64] = []
        words.withUnsafeMutableBufferPointer { words in
            for key in keys {
                let word = Int(key >> 6)
                let bit: UInt64 = 1 << (key & 63)
                let old = words[word]
                if old & bit != 0 { again.append(key) }
                words[word] = old | bit
            }
        }
        for key in again { extraHolders[key, default: 0] += 1 }
    }

    /// Records one more cell holding the set ranked `key`.
    public mutating func insert(_ key: UInt64) {
        if contains(key) {
            extraHolders[key, default: 0] += 1
        } else if isDense {
            words[Int(key >> 6)] |= 1 << (key & 63)
        } else {
            hashed.insert(key)
        }
    }

    /// Records one cell fewer holding the set ranked `key`; false when no cell held it.
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Bool {
        guard contains(key) else { return false }
        if let extra = extraHolders[key] {
            extraHolders[key] = extra > 1 ? extra - 1 : nil
        } else if isDense {
            words[Int(key >> 6)] &= ~(1 << (key & 63))
        } else {
            hashed.remove(key)
        }
        return true
    }

    /// Widens the index to sets drawn from `nodeCount` nodes (at least as many as before);
    /// ranks of the sets already held do not change. False when the new ranks would not fit
    /// in 64 bits; the index is then unchanged.
    public mutating func grow(toNodeCount nodeCount: Int) -> Bool {
        precondition(nodeCount >= rank.nodeCount, "an index only grows: \(rank.nodeCount) to \(nodeCount) nodes")
        guard let wider = SubsetRank(size: rank.size, nodeCount: nodeCount) else { return false }
        if isDense && wider.count <= denseBitsLimit {
            words.append(contentsOf: repeatElement(0, count: Int((wider.count + 63) / 64) - words.count))
        } else if isDense {
            for (wordIndex, word) in words.enumerated() where word != 0 {
                for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 {
                    hashed.insert(UInt64(wordIndex) << 6 | UInt64(bit))
                }
            }
            words = []
            isDense = false
        }
        rank = wider
        return true
    }
}
