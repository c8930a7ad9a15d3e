/// What the simulated control plane and its operator did in one run, counted.
public struct ControlStatistics: Hashable, Sendable {
    /// Nodes drained (the `drain` action).
    public var drains = 0
    /// Drained nodes left holding no member of any cell.
    public var drainsCompleted = 0
    /// Drained nodes activated again once empty.
    public var returns = 0
    /// Nodes lost for good and declared gone (the `remove` action).
    public var removals = 0
    /// Gone nodes whose every replica was re-placed on other nodes.
    public var removalsCompleted = 0
    /// Spare nodes joined to the fleet (the `add` action).
    public var additions = 0
    /// Cells given a target near a zone (the `move-near` action).
    public var nearMoves = 0
    /// Cells given a target off one member, and later back (the `move` action).
    public var moves = 0
    /// Membership changes applied to move replicas off draining nodes.
    public var drainChanges = 0
    /// Membership changes applied to re-place the replicas of gone nodes.
    public var removalChanges = 0
    /// Membership changes applied to move cells toward a target (`cell move`).
    public var targetChanges = 0
    /// Membership changes applied to even out replicas per node.
    public var rebalanceChanges = 0
    /// Times a cell's next change waited, a pass each, because without the member it
    /// removes fewer than a majority of its members were live (`Reconciler` rule 7).
    public var heldForLiveMajority = 0
    /// Changes that got no answer in time (the loop asks again on a later pass).
    public var changesAbandoned = 0
    /// Changes a cell's leader refused because fewer than a majority of its members would
    /// stay live (the leader's verdict); the control loop decided again later.
    public var refusalsWouldLoseMajority = 0
    /// Changes a cell's leader refused because another change was being committed.
    public var refusalsChangeInFlight = 0
    /// Changes a cell's leader refused because they were decided at another epoch.
    public var refusalsStaleEpoch = 0
    /// Moves the control loop started and saw through.
    public var movesStarted = 0
    public var movesFinished = 0

    /// Zeroed counts.
    public init() {}

    /// Membership changes applied for every reason.
    public var changesApplied: Int {
        drainChanges + removalChanges + targetChanges + rebalanceChanges
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
        moves += other.moves
        drainChanges += other.drainChanges
        removalChanges += other.removalChanges
        targetChanges += other.targetChanges
        rebalanceChanges += other.rebalanceChanges
        heldForLiveMajority += other.heldForLiveMajority
        changesAbandoned += other.changesAbandoned
        refusalsWouldLoseMajority += other.refusalsWouldLoseMajority
        refusalsChangeInFlight += other.refusalsChangeInFlight
        refusalsStaleEpoch += other.refusalsStaleEpoch
        movesStarted += other.movesStarted
        movesFinished += other.movesFinished
    }
}
