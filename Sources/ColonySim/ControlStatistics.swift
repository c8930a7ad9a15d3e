/// What the simulated control plane did in one run, counted.
public struct ControlStatistics: Hashable, Sendable {
    /// Nodes drained (the `drain` action).
    public var drains = 0
    /// Drained nodes left holding no member of any cell.
    public var drainsCompleted = 0
    /// Drained nodes returned to service once empty.
    public var returns = 0
    /// Nodes lost for good and declared gone (the `remove` action).
    public var removals = 0
    /// Gone nodes whose every replica was re-placed on other nodes.
    public var removalsCompleted = 0
    /// Spare nodes joined to the fleet (the `add` action).
    public var additions = 0
    /// Cells moved near a zone (the `move-near` action).
    public var nearMoves = 0
    /// Membership changes applied to move replicas off draining nodes.
    public var drainChanges = 0
    /// Membership changes applied to re-place the replicas of gone nodes.
    public var removalChanges = 0
    /// Membership changes applied to even out replicas per node, onto added or returned nodes.
    public var rebalanceChanges = 0
    /// Membership changes applied to move cells near a zone.
    public var nearMoveChanges = 0
    /// Membership changes applied for the `move` fault (off a member and back).
    public var moveChanges = 0
    /// Steps held back because the cell would have been left without a majority of live
    /// members (each counted once, however long it waited).
    public var stepsHeldBack = 0
    /// Changes the cells refused or whose outcome stayed unknown (the members were then read afresh).
    public var changesAbandoned = 0
    /// Changes a cell's leader refused because fewer than a majority of its members would
    /// stay live (the leader's verdict); the control plane waited and decided again later.
    public var refusalsWouldLoseMajority = 0
    /// Changes a cell's leader refused because another change was being committed.
    public var refusalsChangeInFlight = 0
    /// Changes a cell's leader refused because they were decided at another epoch.
    public var refusalsStaleEpoch = 0

    /// Zeroed counts.
    public init() {}

    /// Membership changes applied for every reason.
    public var changesApplied: Int {
        drainChanges + removalChanges + rebalanceChanges + nearMoveChanges + moveChanges
    }

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: ControlStatistics) {
        drains += other.drains
        drainsCompleted += other.drainsCompleted
        returns += other.returns
        removals += other.removals
        removalsCompleted += other.removalsCompleted
        additions += other.additions
        nearMoves += other.nearMoves
        drainChanges += other.drainChanges
        removalChanges += other.removalChanges
        rebalanceChanges += other.rebalanceChanges
        nearMoveChanges += other.nearMoveChanges
        moveChanges += other.moveChanges
        stepsHeldBack += other.stepsHeldBack
        changesAbandoned += other.changesAbandoned
        refusalsWouldLoseMajority += other.refusalsWouldLoseMajority
        refusalsChangeInFlight += other.refusalsChangeInFlight
        refusalsStaleEpoch += other.refusalsStaleEpoch
    }
}
