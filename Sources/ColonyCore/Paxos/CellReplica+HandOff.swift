extension CellReplica {
    /// Prepares this replica for its node going away: it no longer stands for election, and
    /// if it leads, it asks another member to take over at once, so the cell has a new leader
    /// after one round trip instead of an election timeout.
    ///
    /// The member heard from most recently is asked first (`takeOver`); while this replica
    /// still leads, it asks the next one every `retransmitTicks`. The member asked skips its
    /// pre-vote and runs phase 1 like any candidate, so safety rests on Paxos as always; only
    /// the wait is shorter. The replica keeps voting and accepting until its node stops.
    public mutating func handOff() -> ReplicaOutput {
        var output = ReplicaOutput()
        guard !isLeaving else { return output }
        isLeaving = true
        switch role {
        case .leading:
            wake(leaderLive: true)
            askToTakeOver(&output)
        case .polling, .preparing:
            becomeFollower(&output)
        case .follower:
            break
        }
        return output
    }

    /// Whether the leader's node is going away and it should ask (again) for a successor.
    var handOffDue: Bool {
        isLeaving && now - handOffAskedAt >= options.retransmitTicks
    }

    /// Asks the next member in line to take over, in the order of when this leader last heard
    /// from each (most recent first), rotating on every attempt.
    mutating func askToTakeOver(_ output: inout ReplicaOutput) {
        guard let state, let leader = leadership else { return }
        let members = state.configuration.members
        let candidates = leader.byLastHeard(members.indices.filter { members[$0] != node })
        guard !candidates.isEmpty else { return }
        let target = members[candidates[handOffAttempts % candidates.count]]
        handOffAttempts += 1
        handOffAskedAt = now
        output.send(.takeOver(leader.ballot), to: target, cell: cell)
    }

    /// The leader of `ballot`, which this replica follows, is going away and asks it to stand
    /// now. It does, skipping the pre-vote, unless it cannot vote or is leaving too.
    mutating func receiveTakeOver(_ ballot: Ballot, _ output: inout ReplicaOutput) {
        guard canVote, !isLeaving, ballot == promised, case .follower = role else { return }
        startPrepare(&output)
    }

    /// The leader of the epoch that just ended removed itself from the cell and asks this
    /// member to stand for the new epoch. It does, unless it followed another leader since,
    /// already knows a leader of the new epoch, or is not the new epoch's member.
    mutating func receiveTakeOverFromRemovedLeader(_ ballot: Ballot, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard let configuration = state?.configuration, canVote, !isLeaving, isMember,
              ballot == promised, ballot.node == sender, !configuration.contains(sender),
              ballot.epoch + 1 == configuration.epoch, leaderHint == nil, case .follower = role
        else { return }
        startPrepare(&output)
    }
}
