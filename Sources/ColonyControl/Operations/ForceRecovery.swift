import ColonyCore

/// The forced recovery of a cell most of whose members lost their stored state: what `colony
/// cell force-recover CELL --from NODE --confirm-data-loss` may do, and what the control
/// loop and `colony cell info` tell the operator of such a cell.
///
/// A replica found damaged does not vote until the cell's leader renews it; when a majority
/// of members is damaged, no leader can be elected and the cell is down for good. Forcing
/// one damaged member to vote again (`CellReplica.forceHeal()`) restores a majority that
/// votes, at the risk spelled out in `risk`. The decision is made here, once, from what the
/// members said of themselves (`ObservedCell`); the node then checks its own replica again.
/// Forcing is refused as soon as a majority votes: the members still damaged are then
/// renewed the normal way, and the first renewal starts an epoch that outranks everything
/// the forced replicas may have forgotten.
public enum ForceRecovery {
    /// What the command may do.
    public enum Verdict: Hashable, Sendable {
        /// Force `node`'s replica, which has applied through `appliedThrough`.
        case force(node: NodeID, appliedThrough: UInt64)
        /// Do nothing; the text says why and what to do instead.
        case refused(String)
    }

    /// The risk of a forced recovery, in words: the command's help and its refusal say it.
    public static let risk = """
        UNSAFE: the forced replica forgot what it stored before it was found damaged, and goes on from the state it \
        has fetched since. Writes the cell acknowledged after the slot it has applied may be lost (unless a member \
        that still votes kept them): keys may go back to older values and versions, and deleted keys may return. The \
        cell is linearizable again from the recovered state on, not across it.
        """

    /// Whether `cell`, as `observed`, may have its member `node` forced to vote again; only
    /// with `confirmed` (`--confirm-data-loss`) does a possible verdict become `force`.
    public static func verdict(cell: String, observed: ObservedCell, from node: NodeID, confirmed: Bool) -> Verdict {
        if let refusal = refusal(cell: cell, observed: observed, from: node) { return .refused(refusal) }
        let applied = observed.replicas[node]?.appliedThrough ?? 0
        guard confirmed else {
            return .refused("""
                forcing \(node) would restore cell \(cell) from \(node)'s state, applied through slot \(applied).
                \(risk)
                To accept that, run: \(command(cell: cell, from: node))
                """)
        }
        return .force(node: node, appliedThrough: applied)
    }

    /// The damaged member that holds the most of the cell (its applied slot highest, then its
    /// node id lowest): the one to force first, so the least is lost. Nil when no damaged
    /// member holds the cell's state.
    public static func suggestion(_ observed: ObservedCell) -> NodeID? {
        observed.members.filter { holdsState($0, observed) && observed.replicas[$0]?.isDamaged == true }
            .max { lhs, rhs in
                let left = observed.replicas[lhs]?.appliedThrough ?? 0
                let right = observed.replicas[rhs]?.appliedThrough ?? 0
                return left != right ? left < right : lhs > rhs
            }
    }

    /// What the operator is told of a cell whose damaged members are a majority: who they
    /// are, how far each applied, and the command that restores service; nil for a cell that
    /// is not stuck so.
    public static func stuckMessage(cell: String, observed: ObservedCell) -> String? {
        guard let damaged = observed.damagedMajority else { return nil }
        let applied = damaged.map { member in
            holdsState(member, observed) ? "\(member) applied through slot \(observed.replicas[member]?.appliedThrough ?? 0)" : "\(member) holds no state"
        }
        let stuck = "\(damaged.count) of its \(observed.members.count) members (\(damaged.map { "\($0)" }.joined(separator: ", "))) lost stored state and wait to be renewed, which needs a majority that votes: the cell cannot commit until an operator restores it (\(applied.joined(separator: ", ")))"
        guard let best = suggestion(observed) else {
            return stuck + "; none holds the cell's state yet: bring back the members that do"
        }
        let slot = observed.replicas[best]?.appliedThrough ?? 0
        return stuck + "; to restore it from \(best)'s state, accepting that writes acknowledged after slot \(slot) may be lost: \(command(cell: cell, from: best))"
    }

    /// The command that forces `node`'s replica of `cell`.
    public static func command(cell: String, from node: NodeID) -> String {
        "colony cell force-recover \(cell) --from \(node.rawValue) --confirm-data-loss"
    }

    /// Why `node`'s replica may not be forced at all, confirmed or not.
    private static func refusal(cell: String, observed: ObservedCell, from node: NodeID) -> String? {
        let damaged = observed.members.filter { observed.replicas[$0]?.isDamaged == true }
        let others = suggestion(observed).map { " force \($0) instead" } ?? ""
        guard observed.members.contains(node) else {
            return "\(node) is not a member of cell \(cell) (members \(list(observed.members)));" + (others.isEmpty ? " name one of its damaged members" : others)
        }
        guard observed.damagedMajority != nil else {
            let voting = observed.members.filter { observed.isReadyMember($0) }
            if voting.count >= observed.members.count / 2 + 1 {
                return "cell \(cell) needs no force: \(voting.count) of its \(observed.members.count) members vote (\(list(voting))), a majority; its leader renews the damaged ones (\(damaged.isEmpty ? "none" : list(damaged))) the normal way"
            }
            let silent = observed.members.filter { observed.replicas[$0] == nil }
            return "cell \(cell) needs no force yet: \(damaged.count) of its \(observed.members.count) members are damaged (\(damaged.isEmpty ? "none" : list(damaged))), not a majority; \(silent.isEmpty ? "the others vote" : "\(list(silent)) did not answer and may still vote: bring them back (if their stored state is damaged too, they come back damaged, and then the cell may be forced)")"
        }
        guard let replica = observed.replicas[node] else {
            return "\(node) did not answer: its replica of cell \(cell) cannot be forced;" + (others.isEmpty ? " bring it back" : others)
        }
        guard replica.isDamaged else {
            return "\(node)'s replica of cell \(cell) is not damaged: it votes already;" + (others.isEmpty ? " no damaged member holds the cell's state" : others)
        }
        guard holdsState(node, observed) else {
            return "\(node) holds no state of cell \(cell) at its epoch \(observed.epoch): it has not fetched it from its peers since it was found damaged;" + (others.isEmpty ? " no damaged member holds the cell's state: bring back the members that do" : others)
        }
        if let best = suggestion(observed), best != node, let bestApplied = observed.replicas[best]?.appliedThrough, bestApplied > replica.appliedThrough {
            return "\(best) holds more of cell \(cell) (applied through slot \(bestApplied); \(node) through slot \(replica.appliedThrough)): force \(best) first, and lose less"
        }
        return nil
    }

    /// Whether `node`'s replica holds the cell's state of the newest epoch seen.
    private static func holdsState(_ node: NodeID, _ observed: ObservedCell) -> Bool {
        guard let replica = observed.replicas[node] else { return false }
        return replica.epoch == observed.epoch && replica.isMember
    }

    private static func list(_ nodes: [NodeID]) -> String {
        nodes.map { "\($0)" }.joined(separator: ", ")
    }
}
