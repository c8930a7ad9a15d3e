/// The bounds that keep a cell's counters — epochs, ballot rounds, slots, revisions and
/// versions — far from overflow, whoever hands them in.
///
/// Every counter a cell keeps grows by one at a time: a round per election, a slot per
/// batch, an epoch per membership change, a revision per write. Even at one a nanosecond,
/// 2^61 of them take 73 years, so no real cell comes near the bounds, and any value above
/// them came from a hostile peer, a client or a damaged disk. Two bounds, far apart:
/// - a decoder refuses a counter above `decodedMax`, so the arithmetic of a replica on what
///   it was sent (`slot + 1`, `round + 1`) can never overflow; a stored record past it does
///   not decode, and recovery counts its cell as damaged;
/// - a node takes no message carrying a counter above `adoptedMax` (it drops it and says
///   so), and a replica never stands for election past it, so the counters a replica
///   advances from what it adopted stay below `decodedMax`: nothing it sends is ever
///   refused by an honest peer's decoder.
public enum CounterBounds {
    /// The largest epoch, round, slot, revision or version any decoder accepts: 2^62.
    public static let decodedMax: UInt64 = 1 << 62
    /// The largest counter a replica adopts from a peer, and the last round it stands with: 2^61.
    public static let adoptedMax: UInt64 = 1 << 61
}
