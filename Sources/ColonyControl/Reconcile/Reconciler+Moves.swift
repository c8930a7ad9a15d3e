import ColonyCore
import ColonyPlacement

extension Reconciler {
    /// The next step of a move under way.
    static func continueMove(
        _ record: PlacedCell, _ move: PendingMove, cell: ObservedCell, states: [NodeID: NodeState], paused: Bool
    ) -> CellAction? {
        let removed = NodeID(move.remove)
        let added = NodeID(move.add)
        let members = Set(cell.members)
        if members.contains(added), !members.contains(removed) {
            guard cell.isReadyMember(added) else { return .waitForMember(cell: record.cell, node: added) }
            var done = record
            done.move = nil
            return .finish(done.reachingTarget ?? done)
        }
        guard members.contains(removed), !members.contains(added) else {
            return .problem(cell: record.cell, "its members \(cell.members) match neither side of its move \(move.remove) → \(move.add)")
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
        return .change(cell: record.cell, remove: removed, add: added, expectedEpoch: cell.epoch)
    }

    /// The members of a settled cell still to move, most urgent first: on gone nodes, on
    /// draining nodes, then off the target (`off` nil: chosen then).
    static func nextMove(_ record: PlacedCell, states: [NodeID: NodeState]) -> [(reason: MoveReason, off: NodeID?)] {
        // A member without a node record cannot be here: the placer is rebuilt from the
        // records and refuses such a placement before any move is planned.
        let gone = record.placement.members.filter { states[$0] == .gone }
        let draining = record.placement.members.filter { states[$0] == .draining }
        var moves: [(reason: MoveReason, off: NodeID?)] = gone.map { (.gone, $0) } + draining.map { (.drain, $0) }
        if let target = record.target {
            let staying = Set(moves.compactMap(\.off))
            let toMove = record.placement.members.filter { !target.members.contains($0) && !staying.contains($0) }
            moves += toMove.map { _ in (.target, nil) }
        }
        return moves
    }

    /// The action that starts moving `off` (or, for a target, the member the target drops)
    /// out of `record`'s cell, for `reason`.
    static func start(
        _ record: PlacedCell, reason: MoveReason, off: NodeID?, placer: inout Placer, nodes: [NodeRecord]
    ) -> CellAction {
        let current = record.placement
        let next: Placement
        if let target = record.target {
            let active = Set(nodes.filter { $0.state == .active }.map { NodeID($0.id) })
            guard let step = stepToward(target, from: current, off: off, active: active) else {
                return .problem(cell: record.cell, "no active node of its target \(target.members) is left to move to; run `colony cell move` again")
            }
            next = step
        } else if let off {
            do {
                next = try placer.replace(off, in: current)
            } catch {
                return .problem(cell: record.cell, "cannot re-place its replica on node \(off): \(error)")
            }
        } else {
            return .problem(cell: record.cell, "nothing to move")
        }
        return started(record, toward: next, reason: record.target != nil ? .target : reason, nodes: nodes)
    }

    /// The action that starts moving `record`'s cell to `next`, one member away.
    static func started(_ record: PlacedCell, toward next: Placement, reason: MoveReason, nodes: [NodeRecord]) -> CellAction {
        let current = record.placement
        guard let added = next.members.first(where: { !current.members.contains($0) }),
              let removed = current.members.first(where: { !next.members.contains($0) })
        else {
            return .problem(cell: record.cell, "the placer kept its members \(current.members); add active nodes")
        }
        var started = record
        started.placement = next
        started.clientAddresses = clientAddresses(of: next.members, nodes: nodes)
        started.move = PendingMove(remove: removed.rawValue, add: added.rawValue, reason: reason)
        return .start(started)
    }

    /// The member a new move of `record`'s cell for `off` takes out: `off` itself, unless
    /// the cell moves toward a target, which takes out `off` only if the target drops it and
    /// otherwise the first member the target drops (as `stepToward` does). Rule 7 judges
    /// this member, the one the move removes.
    static func leaving(_ record: PlacedCell, off: NodeID?) -> NodeID? {
        guard let target = record.target else { return off }
        return leaving(toward: target, from: record.placement, off: off)
    }

    /// The member a step from `current` toward `target` takes out: `off` if the target drops
    /// it, otherwise the first member the target drops.
    static func leaving(toward target: Placement, from current: Placement, off: NodeID?) -> NodeID? {
        off.flatMap { target.members.contains($0) ? nil : $0 } ?? current.members.first { !target.members.contains($0) }
    }

    /// One member closer to `target`: the member `leaving(toward:from:off:)` names leaves,
    /// the first `active` target member not yet in the cell joins. Nil when no such member
    /// is left (the target names nodes drained or gone since it was chosen).
    static func stepToward(_ target: Placement, from current: Placement, off: NodeID?, active: Set<NodeID>) -> Placement? {
        guard let leaving = leaving(toward: target, from: current, off: off),
              let joining = target.members.first(where: { !current.members.contains($0) && active.contains($0) })
        else { return nil }
        let members = current.members.filter { $0 != leaving } + [joining]
        let leader = members.contains(target.preferredLeader) ? target.preferredLeader : joining
        return Placement(request: target.request, members: members, preferredLeader: leader, relaxed: target.relaxed)
    }
}

extension MoveReason {
    /// How soon a move for this reason starts beside others: a cell short of a replica (gone)
    /// first, rebalancing last.
    var urgency: Int {
        switch self {
        case .gone: return 0
        case .drain: return 1
        case .target: return 2
        case .rebalance: return 3
        }
    }
}
