import ColonyCore
import ColonyPlacement

/// The control plane's decisions, apart from any IO: given what the directory holds and
/// what the cells said of themselves, what to do next.
///
/// The rules:
/// 1. A cell changes one member at a time, through its own log. A move under way is seen
///    through (its change sent until applied, then its new member awaited until caught up
///    and renewed) before another move of that cell starts.
/// 2. A cell with a member that waits to be renewed, or whose members differ from its
///    record, gets no new move.
/// 3. New moves, at most `newMovesMax` a pass (the throttle's tokens) and no more than make
///    `movesUnderWayMax` under way at once, colony-wide: replicas on gone nodes first (the
///    cell is short of a replica), then draining nodes, then moves toward a target (`colony
///    cell move`), then rebalancing (rule 6). The placer chooses each replacement, with every
///    other cell's placement recorded, so overlap and zone spread stay bounded.
/// 4. While paused, no move starts, no change is sent and no leadership moves; moves under
///    way are only awaited and recorded.
/// 5. A settled cell (no move under way, members as recorded, all renewed) whose leader is
///    not its placement's preferred leader gets a leadership transfer, when the preferred
///    leader is an active node whose replica answered as a ready member; at most
///    `transfersMax` a pass, and none for the cells in `transfersHeld` (asked recently).
/// 6. Rebalancing evens out replicas per active node, as after a node joins the fleet or a
///    drained node is activated again: with the tokens rule 3's other moves left, a replica
///    moves off the most loaded active node to the placer's choice, if that node holds at
///    least two fewer and the cell keeps every placement rule it kept. It stops when the
///    active nodes of each color hold within one replica of each other, or when no cell
///    finds a better node. Only cells with nothing else to do move: settled, every member
///    ready, no transfer wanted. Ties go to the lowest node id and the first cell name.
/// 7. No change removes a member unless, without it, a majority of the cell's members
///    answered as ready: the new member votes only once it has caught up and been renewed, so
///    a change made while another member is down could leave the cell unable to commit. Such
///    a move, or a change of a move under way, waits (`heldForLiveMajority`); the cell's
///    leader judges every change again when it arrives.
/// 8. A cell most of whose members lost their stored state (they answered as waiting to be
///    renewed) is a problem the plan says, every pass while it lasts: renewal commits through
///    the cell's log, which needs a majority that votes, so the cell cannot commit at all.
///    The problem names the damaged members and how far each applied, and gives the command
///    that forces the one holding the most to vote again (`ForceRecovery.stuckMessage`).
public enum Reconciler {
    /// The plan for one pass.
    public static func plan(
        _ snapshot: DirectorySnapshot, observed: [String: ObservedCell], newMovesMax: Int, movesUnderWayMax: Int = .max,
        transfersMax: Int = 0, transfersHeld: Set<CellID> = []
    ) -> ReconcilePlan {
        plan(
            snapshot, observed: observed, newMovesMax: newMovesMax, movesUnderWayMax: movesUnderWayMax, transfersMax: transfersMax,
            transfersHeld: transfersHeld, defects: [])
    }

    /// The plan for one pass, with `defects` (tests only) switched on.
    static func plan(
        _ snapshot: DirectorySnapshot, observed: [String: ObservedCell], newMovesMax: Int, movesUnderWayMax: Int,
        transfersMax: Int, transfersHeld: Set<CellID>, defects: Set<ControlDefect>
    ) -> ReconcilePlan {
        var plan = ReconcilePlan()
        var placer: Placer
        do {
            placer = try makePlacer(snapshot)
        } catch {
            plan.actions.append(.problem(cell: nil, "cannot rebuild the placer from the directory: \(error)"))
            return plan
        }
        let guardsMajority = !defects.contains(.removesWithoutMajorityGuard)
        let survey = Survey(snapshot, observed: observed, transfersHeld: transfersHeld, guardsMajority: guardsMajority, plan: &plan)
        guard !snapshot.settings.paused else { return plan }
        let underWay = snapshot.cells.filter { $0.move != nil }.count
        let movesMax = max(0, min(newMovesMax, movesUnderWayMax - underWay))
        let chosen = survey.candidates.sorted { ($0.reason.urgency, $0.record.cell) < ($1.reason.urgency, $1.record.cell) }
            .prefix(movesMax)
        for candidate in chosen {
            plan.actions.append(start(candidate.record, reason: candidate.reason, off: candidate.off, placer: &placer, nodes: snapshot.nodes))
        }
        plan.actions += rebalancingMoves(
            survey.balanced, placer: &placer, nodes: snapshot.nodes, movesMax: movesMax - chosen.count)
        plan.actions += survey.transfers.prefix(max(0, transfersMax))
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

    /// The client addresses of `members`, as the directory's node records give them.
    public static func clientAddresses(of members: [NodeID], nodes: [NodeRecord]) -> [String] {
        members.compactMap { member in nodes.first { $0.id == member.rawValue }?.clientAddress }
    }
}

/// One look at every recorded cell: the actions of moves under way and problems (written to
/// the plan as found), and what may start if the colony is not paused.
private struct Survey {
    /// Settled cells with a member to move, each with its most urgent move.
    var candidates: [(reason: MoveReason, record: PlacedCell, off: NodeID?)] = []
    /// Settled cells with nothing else to do, every member ready: what rebalancing may move.
    var balanced: [PlacedCell] = []
    /// The leadership transfers wanted, cells in name order.
    var transfers: [CellAction] = []

    init(
        _ snapshot: DirectorySnapshot, observed: [String: ObservedCell], transfersHeld: Set<CellID>, guardsMajority: Bool,
        plan: inout ReconcilePlan
    ) {
        let states = Dictionary(snapshot.nodes.map { (NodeID($0.id), $0.state) }, uniquingKeysWith: { first, _ in first })
        for record in snapshot.cells {
            let name = record.cell.name
            guard let cell = observed[name], !cell.members.isEmpty else {
                plan.actions.append(.problem(cell: record.cell, "no replica of it answered; if `colony cell create \(name)` failed, run it again"))
                continue
            }
            if let stuck = ForceRecovery.stuckMessage(cell: name, observed: cell) {
                plan.actions.append(.problem(cell: record.cell, stuck))
            }
            if let move = record.move {
                plan.replicasToMove += 1
                let action = Reconciler.continueMove(record, move, cell: cell, states: states, paused: snapshot.settings.paused)
                if case .change(_, let remove, _, _)? = action, guardsMajority, !cell.keepsLiveMajority(without: remove) {
                    plan.heldForLiveMajority.append(record.cell)
                } else if let action {
                    plan.actions.append(action)
                }
                continue
            }
            guard Set(cell.members) == Set(record.placement.members) else {
                plan.actions.append(.problem(cell: record.cell, "its members are \(cell.members) but the directory records \(record.placement.members); someone changed them outside the control plane"))
                continue
            }
            if let reached = record.reachingTarget {
                plan.actions.append(.reachTarget(reached))
                continue
            }
            let transfer = transfersHeld.contains(record.cell) ? nil : Reconciler.leadershipTransfer(record, cell: cell, states: states)
            transfers += transfer.map { [$0] } ?? []
            let next = Reconciler.nextMove(record, states: states)
            plan.replicasToMove += next.count
            guard !cell.hasUnrenewedMember else { continue }
            if let first = next.first {
                if guardsMajority, let leaving = Reconciler.leaving(record, off: first.off), !cell.keepsLiveMajority(without: leaving) {
                    plan.heldForLiveMajority.append(record.cell)
                    continue
                }
                candidates.append((first.reason, record, first.off))
            } else if transfer == nil, cell.members.allSatisfy(cell.isReadyMember) {
                balanced.append(record)
            }
        }
    }
}
