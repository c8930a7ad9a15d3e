extension CellReplica {
    /// A replica that does not vote — new here, or its stored state lost or damaged — still
    /// learns: it takes snapshots and chosen entries, follows who leads and how far the cell
    /// has gone, and answers catch-up requests once it holds the cell's state. It never
    /// promises, accepts or acknowledges anything, but keeps the highest round it sees in
    /// use, should an operator force it to vote again.
    mutating func receiveWhileDamaged(_ body: PeerMessageBody, from sender: NodeID, _ output: inout ReplicaOutput) {
        noteRoundWhileDamaged(body)
        switch body {
        case .snapshot(let snapshot):
            install(snapshot, &output)
        case .catchUpEntries(let entries, let commit):
            receiveCatchUpEntries(entries, commit: commit, &output)
        case .catchUpRequest(let fromSlot):
            serveCatchUp(fromSlot: fromSlot, to: sender, &output)
        case .accept(let ballot, _, _, let commit), .heartbeat(let ballot, let commit, _), .quiesce(let ballot, let commit):
            noteLeader(ballot, commit: commit, from: sender, &output)
        case .poll(let ballot, let applied):
            noteCandidate(ballot, appliedThrough: applied, from: sender, &output)
        case .prepare(let ballot, let fromSlot):
            noteCandidate(ballot, appliedThrough: fromSlot > 0 ? fromSlot - 1 : 0, from: sender, &output)
        case .staleEpoch:
            requestCatchUp(from: sender, &output)
        case .pollReply, .promise, .accepted, .reject, .heartbeatReply, .renewal, .takeOver:
            break
        case .cellDeleted:
            preconditionFailure("Invalid state: a deletion is adopted before the damaged replica's handling")
        }
    }

    /// Learns from a leader's message, without answering it, whom to fetch from and how far.
    private mutating func noteLeader(_ ballot: Ballot, commit: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard ballot.node == sender else { return }
        leaderHint = sender
        lastLeaderContact = now
        knownChosenThrough = max(knownChosenThrough, commit)
        if !hasState || ballot.epoch > (state?.configuration.epoch ?? 0) || commit > appliedThrough {
            requestCatchUp(from: sender, &output)
        }
    }

    /// Learns from a candidate's poll or prepare how far it has applied (slots chosen) and
    /// fetches from it what this replica lacks. When a majority of the members cannot vote,
    /// no candidate wins, so no leader ever speaks: the candidates are the only members this
    /// replica hears, and it must hold all they hold before an operator can force it.
    private mutating func noteCandidate(_ ballot: Ballot, appliedThrough applied: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard ballot.node == sender else { return }
        knownChosenThrough = max(knownChosenThrough, applied)
        if !hasState || ballot.epoch > (state?.configuration.epoch ?? 0) || applied > appliedThrough {
            requestCatchUp(from: sender, &output)
        }
    }

    /// Asks the leader, now and then, to renew this replica, once it holds the cell's state
    /// and is a member (only a member can be renewed).
    mutating func renewalTick(_ output: inout ReplicaOutput) {
        guard let renewal = damagedRenewal, isMember, let leader = leaderHint, leader != node else { return }
        if let last = lastRenewalRequestAt, now - last < options.electionTimeoutTicks { return }
        lastRenewalRequestAt = now
        output.send(.renewal(renewal), to: leader, cell: cell)
    }

    /// The leader's side: a member asks to be renewed under request `id`.
    mutating func receiveRenewalRequest(_ id: RequestID, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard isLeader, let configuration = state?.configuration, configuration.contains(sender) else { return }
        let request = ClientRequest(
            id: id, cell: cell, operation: .changeMembership(MembershipChange(remove: sender, add: sender)),
            opensSession: true)
        // A write like any other. Its replies reach no client (no client sent it): the
        // renewed replica learns of it by applying it.
        enqueueWrite(request, configuration: configuration, &output)
    }

    /// Votes again once the cell has applied this replica's renewal: every ballot from then
    /// on belongs to an epoch that began after it lost its state.
    mutating func healIfRenewed(_ output: inout ReplicaOutput) {
        guard let renewal = damagedRenewal, let state else { return }
        switch state.sessionVerdict(for: renewal, opensSession: false) {
        case .duplicate, .superseded:
            damagedRenewal = nil
            lastRenewalRequestAt = nil
            output.persist.append(.healed)
            output.events.append(.healed)
            resetElectionDeadline()
        case .apply, .expired:
            break
        }
    }
}
