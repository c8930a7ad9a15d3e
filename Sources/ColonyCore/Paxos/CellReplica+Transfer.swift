/// Why a leader refuses to hand its leadership to the member the control plane named.
public enum LeadershipTransferRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The replica does not hold the cell's state yet (it is new here, or lost its state).
    case noState
    /// The replica does not lead the cell; `leader` does, as far as it knows.
    case notLeader(leader: NodeID?)
    /// The target already leads: it is this replica.
    case targetLeadsAlready
    /// The target is not a voting member of the cell's current configuration.
    case notMember(target: NodeID, configuration: CellConfiguration)
    /// The target has not answered this leader within an election timeout (or waits to be
    /// renewed), so it could not gather a majority quickly.
    case targetNotLive(target: NodeID)
    /// A membership change (or a renewal, or a deletion) is queued or being committed, or this
    /// replica's node is going away and hands its cells on by itself.
    case changeInFlight

    public var description: String {
        switch self {
        case .noState:
            return "this replica does not hold the cell's state yet; ask its leader"
        case .notLeader(let leader):
            return "this replica does not lead the cell" + (leader.map { "; \($0) does" } ?? "; its leader is not known yet")
        case .targetLeadsAlready:
            return "the target already leads the cell; nothing to do"
        case .notMember(let target, let configuration):
            return "\(target) is not a member of the cell (epoch \(configuration.epoch), members \(configuration.members)); name one of its members"
        case .targetNotLive(let target):
            return "\(target) has not answered the leader within an election timeout; wait until it is back and caught up"
        case .changeInFlight:
            return "a membership change or hand-off is being committed; wait until it is done and try again"
        }
    }
}

extension CellReplica {
    /// Asks member `target` to take over the lead of this cell now, as the control plane does
    /// to put the leader where the cell's placement prefers it.
    ///
    /// The leader sends `takeOver` under its ballot, as a hand-off does, but stays a full
    /// member: it keeps standing for election and may lead again later. The target skips its
    /// pre-vote and runs phase 1 with a higher ballot, so safety rests on Paxos as always.
    /// Liveness: the old leader steps down only on the target's higher prepare, which also
    /// resets its election deadline, and followers refuse polls while they hear a leader, so
    /// the two do not duel; if the target fails to win, its candidacy times out and a normal
    /// election follows. Nothing is retried here: the control plane asks again later.
    public mutating func transferLeadership(to target: NodeID) -> Result<ReplicaOutput, LeadershipTransferRefusal> {
        wake(leaderLive: true)
        guard let configuration = state?.configuration else { return .failure(.noState) }
        guard let leader = leadership else { return .failure(.notLeader(leader: leaderHint)) }
        guard target != node else { return .failure(.targetLeadsAlready) }
        guard configuration.contains(target) else {
            return .failure(.notMember(target: target, configuration: configuration))
        }
        guard !isLeaving, leader.stopSignSlot == nil, !leader.queue.contains(where: \.operation.isStopSign) else {
            return .failure(.changeInFlight)
        }
        // A transfer to a member that died while the cell rested only goes unanswered: the
        // leader's evidence from before it rested is enough here (not for a membership change).
        guard members(answeredSinceWake: false)?.contains(target) == true else { return .failure(.targetNotLive(target: target)) }
        var output = ReplicaOutput()
        output.send(.takeOver(leader.ballot), to: target, cell: cell)
        return .success(output)
    }
}
