import ColonyCore
import ColonyPlacement

/// One thing the control loop does for one cell on one pass.
public enum CellAction: Hashable, Sendable {
    /// Write `record`, which starts a move (its `move` is set): the intent is durable before
    /// the cell is asked, so a loop that crashes resumes the same move.
    case start(PlacedCell)
    /// Ask the cell to replace `remove` by `add`, decided at `expectedEpoch` (a new move's
    /// change, or one resumed or retried: the cell answers a retry as already applied).
    case change(cell: String, remove: UInt32, add: UInt32, expectedEpoch: UInt64)
    /// Wait for new member `node` of `cell` to catch up and be renewed.
    case waitForMember(cell: String, node: UInt32)
    /// The move is done: write `record` (its target cleared too when the move reached it).
    case finish(PlacedCell)
    /// The cell's members are its target's, with no move under way: write `record`, whose
    /// placement is now the target.
    case reachTarget(PlacedCell)
    /// The move's destination can no longer take the replica and the cell never applied it:
    /// write `record`, which forgets the move, so a later pass chooses again.
    case abandon(PlacedCell)
    /// Ask `cell`'s leader `from` to hand its lead to `to`, the member its placement prefers.
    case transferLeadership(cell: String, from: UInt32, to: UInt32)
    /// Something the loop cannot solve by itself; the message says what and what to do.
    case problem(cell: String, String)
}

/// What one pass of the control loop should do.
public struct ReconcilePlan: Hashable, Sendable {
    /// The actions, cells in name order; new moves gone-first, then drains, then targets.
    public var actions: [CellAction] = []
    /// Replicas on draining or gone nodes, and members still to move toward a target.
    public var replicasToMove = 0
}

/// The control plane's decisions, apart from any IO: given what the directory holds and
/// what the cells said of themselves, what to do next.
///
/// The rules:
/// 1. A cell changes one member at a time, through its own log. A move under way is seen
///    through (its change sent until applied, then its new member awaited until caught up
///    and renewed) before another move of that cell starts.
/// 2. A cell with a member that waits to be renewed, or whose members differ from its
///    record, gets no new move.
/// 3. New moves, at most `newMovesMax` a pass (the throttle's tokens): replicas on gone nodes
///    first (the cell is short of a replica), then draining nodes, then moves toward a target
///    (`colony cell move`). The placer chooses each replacement, with every other cell's
///    placement recorded, so overlap and zone spread stay bounded.
/// 4. While paused, no move starts, no change is sent and no leadership moves; moves under
///    way are only awaited and recorded.
/// 5. A settled cell (no move under way, members as recorded, all renewed) whose leader is
///    not its placement's preferred leader gets a leadership transfer, when the preferred
///    leader is an active node whose replica answered as a ready member; at most
///    `transfersMax` a pass, and none for the cells in `transfersHeld` (asked recently).
public enum Reconciler {
    /// The plan for one pass.
    public static func plan(
        _ snapshot: DirectorySnapshot, observed: [String: ObservedCell], newMovesMax: Int,
        transfersMax: Int = 0, transfersHeld: Set<String> = []
    ) -> ReconcilePlan {
        var plan = ReconcilePlan()
        let states = Dictionary(snapshot.nodes.map { (NodeID($0.id), $0.state) }, uniquingKeysWith: { first, _ in first })
        var placer: Placer
        do {
            placer = try makePlacer(snapshot)
        } catch {
            plan.actions.append(.problem(cell: "*", "cannot rebuild the placer from the directory: \(error)"))
            return plan
        }
        var candidates: [(priority: Int, record: PlacedCell, off: NodeID?)] = []
        var transfers: [CellAction] = []
        for record in snapshot.cells {
            let name = record.cell.name
            guard let cell = observed[name], !cell.members.isEmpty else {
                plan.actions.append(.problem(cell: name, "no replica of it answered; if `colony cell create \(name)` failed, run it again"))
                continue
            }
            if let move = record.move {
                plan.replicasToMove += 1
                if let action = continueMove(record, move, cell: cell, states: states, paused: snapshot.settings.paused) {
                    plan.actions.append(action)
                }
                continue
            }
            guard Set(cell.members) == Set(record.placement.members) else {
                plan.actions.append(.problem(cell: name, "its members are \(cell.members) but the directory records \(record.placement.members); someone changed them outside the control plane"))
                continue
            }
            if let reached = record.reachingTarget {
                plan.actions.append(.reachTarget(reached))
                continue
            }
            if !transfersHeld.contains(name), let transfer = leadershipTransfer(record, cell: cell, states: states) {
                transfers.append(transfer)
            }
            let next = nextMove(record, states: states)
            plan.replicasToMove += next.count
            guard let first = next.first, !cell.hasUnrenewedMember else { continue }
            candidates.append((first.priority, record, first.off))
        }
        guard !snapshot.settings.paused else { return plan }
        candidates.sort { $0.priority != $1.priority ? $0.priority < $1.priority : $0.record.cell < $1.record.cell }
        for candidate in candidates.prefix(newMovesMax) {
            plan.actions.append(start(candidate.record, off: candidate.off, placer: &placer, nodes: snapshot.nodes))
        }
        plan.actions += transfers.prefix(max(0, transfersMax))
        return plan
    }

    /// A placer over the directory's nodes with every cell's counted placement recorded.
    public static func makePlacer(_ snapshot: DirectorySnapshot) throws(PlacementError) -> Placer {
        let fleet: Fleet
        do {
            fleet = try Fleet(nodes: snapshot.nodes.map(\.fleetNode))
        } catch {
            throw .fleet(error)
        }
        var placer = try Placer(fleet: fleet)
        for record in snapshot.cells {
            try placer.record(record.countedPlacement)
        }
        return placer
    }

    /// The next step of a move under way.
    private static func continueMove(
        _ record: PlacedCell, _ move: PendingMove, cell: ObservedCell, states: [NodeID: NodeState], paused: Bool
    ) -> CellAction? {
        let name = record.cell.name
        let removed = NodeID(move.remove)
        let added = NodeID(move.add)
        let members = Set(cell.members)
        if members.contains(added), !members.contains(removed) {
            guard cell.isReadyMember(added) else { return .waitForMember(cell: name, node: move.add) }
            var done = record
            done.move = nil
            return .finish(done.reachingTarget ?? done)
        }
        guard members.contains(removed), !members.contains(added) else {
            return .problem(cell: name, "its members \(cell.members) match neither side of its move \(move.remove) → \(move.add)")
        }
        if states[added] != .active {
            var undone = record
            undone.placement.members = record.membersBeforeMove
            if !undone.placement.members.contains(undone.placement.preferredLeader) {
                undone.placement.preferredLeader = removed
            }
            undone.move = nil
            return .abandon(undone)
        }
        guard !paused else { return nil }
        return .change(cell: name, remove: move.remove, add: move.add, expectedEpoch: cell.epoch)
    }

    /// The members of a settled cell still to move, most urgent first: on gone nodes
    /// (priority 0), on draining nodes (1), then off the target (2, `off` nil: chosen then).
    static func nextMove(_ record: PlacedCell, states: [NodeID: NodeState]) -> [(priority: Int, off: NodeID?)] {
        // A member without a node record cannot be here: the placer is rebuilt from the
        // records and refuses such a placement before any move is planned.
        let gone = record.placement.members.filter { states[$0] == .gone }
        let draining = record.placement.members.filter { states[$0] == .draining }
        var moves: [(priority: Int, off: NodeID?)] = gone.map { (0, $0) } + draining.map { (1, $0) }
        if let target = record.target {
            let staying = Set(moves.compactMap(\.off))
            let toMove = record.placement.members.filter { !target.members.contains($0) && !staying.contains($0) }
            moves += toMove.map { _ in (2, nil) }
        }
        return moves
    }

    /// The action that starts moving `off` (or, for a target, the member the target drops)
    /// out of `record`'s cell.
    private static func start(_ record: PlacedCell, off: NodeID?, placer: inout Placer, nodes: [NodeRecord]) -> CellAction {
        let name = record.cell.name
        let current = record.placement
        var next: Placement
        if let target = record.target {
            let active = Set(nodes.filter { $0.state == .active }.map { NodeID($0.id) })
            guard let step = stepToward(target, from: current, off: off, active: active) else {
                return .problem(cell: name, "no active node of its target \(target.members) is left to move to; run `colony cell move` again")
            }
            next = step
        } else if let off {
            do {
                next = try placer.replace(off, in: current)
            } catch {
                return .problem(cell: name, "cannot re-place its replica on node \(off): \(error)")
            }
        } else {
            return .problem(cell: name, "nothing to move")
        }
        guard let added = next.members.first(where: { !current.members.contains($0) }),
              let removed = current.members.first(where: { !next.members.contains($0) })
        else {
            return .problem(cell: name, "the placer kept its members \(current.members); add active nodes")
        }
        let reason: MoveReason = record.target != nil ? .target : (nodes.first { $0.id == removed.rawValue }?.state == .gone ? .gone : .drain)
        var started = record
        started.placement = next
        started.clientAddresses = clientAddresses(of: next.members, nodes: nodes)
        started.move = PendingMove(remove: removed.rawValue, add: added.rawValue, reason: reason)
        return .start(started)
    }

    /// One member closer to `target`: `off` (or the first member the target drops) leaves,
    /// the first `active` target member not yet in the cell joins. Nil when no such member
    /// is left (the target names nodes drained or gone since it was chosen).
    static func stepToward(_ target: Placement, from current: Placement, off: NodeID?, active: Set<NodeID>) -> Placement? {
        guard let leaving = off.flatMap({ target.members.contains($0) ? nil : $0 }) ?? current.members.first(where: { !target.members.contains($0) }),
              let joining = target.members.first(where: { !current.members.contains($0) && active.contains($0) })
        else { return nil }
        let members = current.members.filter { $0 != leaving } + [joining]
        let leader = members.contains(target.preferredLeader) ? target.preferredLeader : joining
        return Placement(request: target.request, members: members, preferredLeader: leader, relaxed: target.relaxed)
    }

    /// The client addresses of `members`, as the directory's node records give them.
    public static func clientAddresses(of members: [NodeID], nodes: [NodeRecord]) -> [String] {
        members.compactMap { member in nodes.first { $0.id == member.rawValue }?.clientAddress }
    }
}
