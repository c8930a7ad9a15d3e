/// A fixed-size set of small integers, one bit each: which operations are linearized.
struct Bitset: Hashable, Sendable {
    private var words: [UInt64]

    /// An empty set that can hold the integers `0..<capacity`.
    init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    /// How many 64-bit words the set occupies.
    var wordCount: Int { words.count }

    /// Adds `member`, which must be below the capacity.
    mutating func insert(_ member: Int) {
        words[member >> 6] |= 1 << UInt64(member & 63)
    }

    /// Removes `member`, which must be below the capacity.
    mutating func remove(_ member: Int) {
        words[member >> 6] &= ~(1 << UInt64(member & 63))
    }
}
