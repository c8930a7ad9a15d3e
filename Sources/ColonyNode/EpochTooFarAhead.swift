import ColonyCore

/// A client request that expects its cell at an epoch further ahead of the replica here than
/// any cell moves: it did not get that epoch from the cell (a cell changes epoch once per
/// membership change), so waiting for the replica to catch up would wait for ever.
struct EpochTooFarAhead: Error, Hashable, Sendable {
    /// The epoch the request expects.
    var expected: Epoch
    /// The epoch of the replica here.
    var current: Epoch
    /// How far ahead a request may be.
    var leadMax: Epoch

    /// The refusal of a request expecting `expected` of a replica at `current`, when it is more
    /// than `leadMax` ahead; nil when it is not, when it expects no epoch, or when the
    /// replica here knows none (its cell decides then).
    init?(expected: Epoch?, current: Epoch?, leadMax: Epoch) {
        guard let expected, let current, expected > current, expected - current > leadMax else { return nil }
        self.expected = expected
        self.current = current
        self.leadMax = leadMax
    }
}
