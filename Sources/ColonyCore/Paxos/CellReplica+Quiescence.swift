/// Quiescence: a cell with nothing to do costs nothing.
///
/// A leader whose cell has been idle for `quiesceIdleTicks` — nothing queued, proposed or
/// waiting to be read, and every member it heard from lately reporting that it applied what
/// the leader applied — tells its members so (`quiesce`) and stops: its host no longer ticks
/// it, so it sends no heartbeats and resends nothing. A follower that has applied as far
/// stops too: no election timer runs for the cell. The replica's clock stops with it (its
/// `now` is the ticks it saw), so a woken replica goes on as if it had been paused.
///
/// Quiescence is about liveness only; no safety argument leans on it. A woken leader still
/// confirms its leadership with a majority before it answers a read, and a woken follower
/// still elects through a poll and phase 1. What replaces the heartbeats is one liveness
/// heartbeat per node pair (see `ReplicaHost+Liveness.swift`): a node wakes the quiescent
/// followers of a peer that stops sending them, or that restarted, at a bounded rate. Any
/// message or request for a quiescent replica wakes it first (but for a new cell's first
/// candidate's poll, answered at rest: see `ReplicaHost+FirstElections.swift`); a woken
/// follower that hears nothing from its leader times out and polls as always, and the poll
/// wakes the others.
extension CellReplica {
    /// Whether the leader has nothing in flight and every member it heard from within an
    /// election timeout reported having applied what it applied.
    var leaderIsIdle: Bool {
        guard let state, let leader = leadership, !isLeaving else { return false }
        if let woke = leader.wokeAt, now - woke < options.electionTimeoutTicks { return false }
        guard leader.proposals.isEmpty, leader.queue.isEmpty, leader.reads.isEmpty, leader.stopSignSlot == nil else {
            return false
        }
        if !leader.restartedUnheard.isEmpty, now - leader.restartNotedAt < options.restartedMemberWaitTicks { return false }
        let applied = state.appliedThrough
        for (index, member) in state.configuration.members.enumerated() where member != node {
            let live = now - leader.lastHeard[index] <= options.electionTimeoutTicks
            if live, leader.reportedApplied[index] < applied { return false }
        }
        return true
    }

    /// A leader's tick while it leads: after `quiesceIdleTicks` idle, tells the members and
    /// goes quiescent. Returns whether it did.
    mutating func quiesceIfIdle(_ output: inout ReplicaOutput) -> Bool {
        guard leaderIsIdle else {
            leaderState.lastBusyAt = now
            return false
        }
        guard now - leaderState.lastBusyAt >= options.quiesceIdleTicks, let state else { return false }
        broadcast(.quiesce(leaderState.ballot, commit: state.appliedThrough), &output)
        isQuiescent = true
        return true
    }

    /// The leader of `ballot` went quiescent having applied through `commit`: follow it and
    /// learn its applied point, then rest too if this replica has applied as far and votes.
    mutating func receiveQuiesce(_ ballot: Ballot, commit: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard followLeader(ballot, from: sender, &output) else { return }
        noteCommit(ballot, commit, &output)
        guard canVote, case .follower = role, appliedThrough >= commit, knownChosenThrough <= appliedThrough else { return }
        isQuiescent = true
    }

    /// Wakes a quiescent replica: its host is about to hand it a message or a request, or its
    /// leader's node stopped sending liveness heartbeats (`leaderLive` false).
    ///
    /// A woken leader's clock stood still while it rested, so its check of a majority goes on
    /// from where it stopped; but it counts no member live for a membership change until that
    /// member answers it again, it starts a confirmation round at its next tick or read, and
    /// it stays awake at least an election timeout, so a control plane that asks again finds
    /// it knowing who answers. A woken follower whose leader is live (or unknown, after a
    /// restart) gives it an election timeout to speak; one whose leader is gone stands after a
    /// random part of the jitter only, since the node-level timeout has already passed, unless
    /// `standsSoon` is false: another member is its cell's pick to stand first
    /// (`ReplicaHost.firstCandidate`), or a peer's message woke it (most likely that pick's
    /// poll), and it gives the pick an election timeout before it stands itself (standing at
    /// once would start a duel).
    public mutating func wake(leaderLive: Bool, standsSoon: Bool = true) {
        guard isQuiescent else { return }
        isQuiescent = false
        if isLeader {
            leaderState.answeredSinceWake = MemberSet()
            leaderState.lastBusyAt = now
            leaderState.wokeAt = now
        } else if leaderLive {
            if leaderHint != nil { lastLeaderContact = now }
            resetElectionDeadline()
        } else {
            // The leader is gone: a poll finds this replica hearing no leader. (A contact at
            // tick 0 would not say so for a replica that has seen fewer ticks than an
            // election timeout, as a cell that rested soon after its creation has.)
            leaderHint = nil
            lastLeaderContact = 0
            if standsSoon {
                electionDeadline = now + 1 + drawElectionJitter()
            } else {
                resetElectionDeadline()
            }
        }
    }

    /// The node of `member` restarted (its frames name a new incarnation). A leader forgets
    /// what that member reported of itself and does not rest until it answers again, or for
    /// `restartedMemberWaitTicks` at most (a node that restarted and died again must not keep
    /// its peers' leaders awake for good): the member may have come back damaged, and a
    /// damaged replica that holds no state knows no one to fetch the cell from but a leader or
    /// candidate that speaks to it. Messages to a restarted node are often lost while links to
    /// it reopen, so a leader that rested on the member's past report could leave it waiting.
    public mutating func memberRestarted(_ member: NodeID) {
        guard isLeader, member != node, let index = state?.configuration.index(of: member) else { return }
        guard !options.defects.contains(.leaderRestsBeforeRestartedMemberAnswers) else { return }
        leaderState.restartedUnheard.insert(index)
        leaderState.restartNotedAt = now
        leaderState.reportedApplied[index] = 0
    }

    /// Puts a replica just restored after a restart to rest until something wakes it: its
    /// node does not know who leads the cell now, and a poll from every restored replica at
    /// once would wake every cell the node hosts. A replica that must fetch or be renewed
    /// stays awake.
    public mutating func restUntilWoken() {
        guard canVote, tombstone == nil, case .follower = role else { return }
        isQuiescent = true
    }

    /// Answers a poll while resting, without waking: a replica awaiting its cell's first
    /// candidate grants that candidate's poll as an awake one would, and goes on resting until
    /// the candidate's phase 1 or its first leader's messages reach it (another member's poll
    /// wakes it as any message does). A poll changes nothing a replica persists; were it
    /// woken, it would stand itself an election timeout later if the candidate's election
    /// failed — as every first election does whose creation has not reached enough members
    /// yet, and then every member would stand at once. The host hands it only polls whose
    /// counters are within `CounterBounds.adoptedMax`.
    mutating func answerPollResting(_ ballot: Ballot, appliedThrough: Slot, from sender: NodeID) -> ReplicaOutput {
        precondition(isQuiescent, "Invalid state: cell \(cell.name) answers a poll at rest while awake")
        var output = ReplicaOutput()
        receivePoll(ballot, appliedThrough: appliedThrough, from: sender, &output)
        return output
    }

    /// Rests until member `candidate` stands: a just-created replica awaiting its cell's first
    /// election (see `ReplicaHost+FirstElections.swift`). It trusts the candidate as its
    /// leader meanwhile, so a request that reaches it is redirected there.
    /// Returns false, changing nothing, for a replica that cannot vote or does not follow.
    mutating func awaitCandidate(_ candidate: NodeID) -> Bool {
        guard canVote, tombstone == nil, case .follower = role else { return false }
        isQuiescent = true
        if candidate != node { leaderHint = candidate }
        return true
    }
}
