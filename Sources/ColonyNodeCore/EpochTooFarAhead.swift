import ColonyCore

/// A client request that expects its cell at an epoch further ahead of the replica here than
/// any cell moves: it did not get that epoch from the cell (a cell changes epoch once per
/// membership change), so waiting for the replica to catch up would wait for ever. The
/// replica itself answers any epoch ahead of its own `catchingUp`; this refusal comes first
/// and fails the request at once (see `NodeCore.epochTooFarAhead(_:leadMax:)`).
public struct EpochTooFarAhead: Error, Hashable, Sendable {
    /// The epoch the request expects.
    public var expected: Epoch
    /// The epoch of the replica here.
    public var current: Epoch
    /// How far ahead a request may be.
    public var leadMax: Epoch

    /// The refusal of a request expecting `expected` of a replica at `current`, when it is more
    /// than `leadMax` ahead; nil when it is not, when it expects no epoch, or when the
    /// replica here knows none (its cell decides then).
    public init?(expected: Epoch?, current: Epoch?, leadMax: Epoch) {
        guard let expected, let current, expected > current, expected - current > leadMax else { return nil }
        self.expected = expected
        self.current = current
        self.leadMax = leadMax
    }
}

extension NodeCore {
    /// The refusal of client `request` when the epoch it expects is more than `leadMax` ahead
    /// of this node's replica of its cell; nil when the request may go to the cell.
    public func epochTooFarAhead(_ request: ClientRequest, leadMax: Epoch) -> EpochTooFarAhead? {
        EpochTooFarAhead(expected: request.expectedEpoch, current: host.replica(request.cell)?.configuration?.epoch, leadMax: leadMax)
    }
}
