import ColonyCore

/// One thing the control loop does for one cell on one pass.
public enum CellAction: Hashable, Sendable {
    /// Write `record`, which starts a move (its `move` is set): the intent is durable before
    /// the cell is asked, so a loop that crashes resumes the same move.
    case start(PlacedCell)
    /// Ask the cell to replace `remove` by `add`, decided at `expectedEpoch` (a new move's
    /// change, or one resumed or retried: the cell answers a retry as already applied).
    case change(cell: CellID, remove: NodeID, add: NodeID, expectedEpoch: Epoch)
    /// Wait for new member `node` of `cell` to catch up and be renewed.
    case waitForMember(cell: CellID, node: NodeID)
    /// The move is done: write `record` (its target cleared too when the move reached it).
    case finish(PlacedCell)
    /// The cell's members are its target's, with no move under way: write `record`, whose
    /// placement is now the target.
    case reachTarget(PlacedCell)
    /// The move's destination can no longer take the replica and the cell never applied it:
    /// write `record`, which forgets the move, so a later pass chooses again.
    case abandon(PlacedCell)
    /// Ask `cell`'s leader `from` to hand its lead to `to`, the member its placement prefers.
    case transferLeadership(cell: CellID, from: NodeID, to: NodeID)
    /// Something the loop cannot solve by itself, about `cell` (nil: the colony as a whole);
    /// the message says what and what to do.
    case problem(cell: CellID?, String)
}

/// What one pass of the control loop should do.
public struct ReconcilePlan: Hashable, Sendable {
    /// The actions: those of moves under way and problems, cells in name order; then new
    /// moves, gone-first, then drains, then targets, then rebalancing; then transfers.
    public var actions: [CellAction] = []
    /// Replicas on draining or gone nodes, and members still to move toward a target.
    /// Rebalancing is not counted: how much of it is left depends on the placer's choices.
    public var replicasToMove = 0
    /// Cells whose next change waits because, without the member it removes, fewer than a
    /// majority of the cell's members answered as ready (rule 7).
    public var heldForLiveMajority: [CellID] = []
}

/// A deliberately careless behaviour of the control plane, so tests can show that the
/// simulator's majority checker catches what the rule it breaks prevents. Never set in
/// production: no command sets it.
@_spi(Testing) public enum ControlDefect: Hashable, Sendable, CaseIterable {
    /// Replaces a member without checking that the cell keeps a majority of live members
    /// without it (rule 7 off), as a control plane that removes before it adds would while
    /// a member is down. The cell's leader still judges the change: it refuses once it has
    /// missed the member that is down, but not in the election timeout before.
    case removesWithoutMajorityGuard
}
