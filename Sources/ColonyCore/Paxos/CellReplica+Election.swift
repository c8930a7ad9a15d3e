extension CellReplica {
    /// Draws a fresh election deadline: the timeout plus jitter from the seeded generator.
    mutating func resetElectionDeadline() {
        electionDeadline = now + options.electionTimeoutTicks + drawElectionJitter()
    }

    /// A random wait of 0 to `electionJitterTicks` ticks, so members do not stand together.
    mutating func drawElectionJitter() -> UInt64 {
        options.electionJitterTicks == 0 ? 0 : random.next() % (options.electionJitterTicks + 1)
    }

    /// The ballot a new candidacy of this replica uses: above every round seen in the epoch;
    /// nil once that round would pass `CounterBounds.adoptedMax`, where only a hostile peer's
    /// rounds take an epoch (the replica then cannot stand until the cell has a new epoch).
    var nextCandidateBallot: Ballot? {
        let epoch = state?.configuration.epoch ?? 0
        let promisedRound = promised.epoch == epoch ? promised.round : 0
        let highest = max(promisedRound, highestRoundSeen)
        guard highest < CounterBounds.adoptedMax else { return nil }
        return Ballot(epoch: epoch, round: highest + 1, node: node)
    }

    /// The ballot to stand with, or nil after saying why the replica cannot stand (see
    /// `nextCandidateBallot`); the election deadline is drawn again either way, so the
    /// refusal comes at most once per election timeout.
    private mutating func candidateBallot(_ output: inout ReplicaOutput) -> Ballot? {
        if let ballot = nextCandidateBallot { return ballot }
        output.events.append(.roundsExhausted(epoch: state?.configuration.epoch ?? 0))
        resetElectionDeadline()
        return nil
    }

    /// Whether this replica heard from a live leader within one election timeout.
    var hearsLeader: Bool {
        if isLeader { return true }
        return leaderHint != nil && now - lastLeaderContact < options.electionTimeoutTicks
    }

    /// Starts a pre-vote: asks the members whether they would support a candidacy.
    mutating func startPoll(_ output: inout ReplicaOutput) {
        guard canVote, !isLeaving, let state, let selfIndex = state.configuration.index(of: node),
              let ballot = candidateBallot(&output)
        else { return }
        stepDownIfLeading(&output)
        role = .polling(PollState(ballot: ballot, grants: MemberSet(selfIndex)))
        leaderHint = nil
        resetElectionDeadline()
        broadcast(.poll(ballot, appliedThrough: state.appliedThrough), &output)
    }

    /// Grants a poll only if this replica has not heard from a leader lately (unless the poll
    /// comes from the leader it trusts, which leads no more once it polls), has not promised
    /// a higher ballot, and the candidate has applied at least as much as it has.
    mutating func receivePoll(_ ballot: Ballot, appliedThrough: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        highestRoundSeen = max(highestRoundSeen, ballot.round)
        let leaderHeard = hearsLeader && sender != leaderHint
        let granted = ballot > promised && !leaderHeard && appliedThrough >= self.appliedThrough
        output.send(.pollReply(ballot, granted: granted), to: sender, cell: cell)
    }

    mutating func receivePollReply(_ ballot: Ballot, granted: Bool, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard granted, case .polling(var poll) = role, poll.ballot == ballot,
              let configuration = state?.configuration, let index = configuration.index(of: sender)
        else { return }
        poll.grants.insert(index)
        role = .polling(poll)
        if poll.grants.count >= configuration.quorum {
            startPrepare(&output)
        }
    }

    /// Phase 1a: promises a fresh ballot to itself and asks the members for theirs.
    mutating func startPrepare(_ output: inout ReplicaOutput) {
        guard canVote, !isLeaving, let state, let ballot = candidateBallot(&output) else { return }
        stepDownIfLeading(&output)
        // Ballots only grow: a candidacy outranks everything this replica promised.
        precondition(ballot > promised, "Invalid state: cell \(cell.name) stands with \(ballot) having promised \(promised)")
        promised = ballot
        persistPromise(ballot, &output)
        let report = PromiseReport(node: node, appliedThrough: state.appliedThrough, entries: log.entries(from: state.appliedThrough + 1))
        role = .preparing(PrepareState(ballot: ballot, promises: [report], lastSentAt: now))
        leaderHint = nil
        resetElectionDeadline()
        output.events.append(.stoodForElection(ballot))
        broadcast(.prepare(ballot, fromSlot: state.appliedThrough + 1), &output)
    }

    /// Sends the prepare again to the members that have not promised yet.
    mutating func resendPrepare(_ output: inout ReplicaOutput) {
        guard case .preparing(var prepare) = role, let state else { return }
        prepare.lastSentAt = now
        role = .preparing(prepare)
        for member in state.configuration.members where member != node && !prepare.hasPromise(from: member) {
            output.send(.prepare(prepare.ballot, fromSlot: state.appliedThrough + 1), to: member, cell: cell)
        }
    }

    /// Phase 1b: promises a ballot higher than any promised so far, reporting every entry
    /// held after `fromSlot` and after this replica's applied point.
    mutating func receivePrepare(_ ballot: Ballot, fromSlot: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        highestRoundSeen = max(highestRoundSeen, ballot.round)
        guard ballot >= promised else {
            output.send(.reject(attempted: ballot, promised: promised), to: sender, cell: cell)
            return
        }
        if ballot > promised {
            stepDownIfLeading(&output)
            role = .follower
            promised = ballot
            persistPromise(ballot, &output)
            leaderHint = nil
            resetElectionDeadline()
        }
        let from = max(fromSlot, appliedThrough + 1)
        output.send(.promise(ballot, appliedThrough: appliedThrough, entries: log.entries(from: from)), to: sender, cell: cell)
    }

    mutating func receivePromise(_ ballot: Ballot, report: PromiseReport, _ output: inout ReplicaOutput) {
        // An acceptor takes no slot `logSlotsMax` past its log's first, which follows what it
        // applied: an entry further out is forged, and would have this replica, once it
        // leads, propose a no-op in every slot up to it.
        if let far = report.entries.first(where: { $0.slot > report.appliedThrough + options.logSlotsMax }) {
            output.events.append(.refusedMessage(from: report.node, reason: .promisedSlotOutOfReach(far.slot)))
            return
        }
        guard case .preparing(var prepare) = role, prepare.ballot == ballot, !prepare.hasPromise(from: report.node) else {
            return
        }
        prepare.promises.append(report)
        role = .preparing(prepare)
        finishPrepareIfReady(&output)
    }

    /// Completes phase 1 once a majority promised and this replica has applied as far as the
    /// most advanced of them; until then it fetches what it lacks.
    mutating func finishPrepareIfReady(_ output: inout ReplicaOutput) {
        guard case .preparing(let prepare) = role, let state, prepare.promises.count >= state.configuration.quorum else {
            return
        }
        let mostAdvanced = prepare.promises.max { $0.appliedThrough < $1.appliedThrough }
        if let mostAdvanced, mostAdvanced.appliedThrough > state.appliedThrough {
            knownChosenThrough = max(knownChosenThrough, mostAdvanced.appliedThrough)
            requestCatchUp(from: mostAdvanced.node, &output)
            return
        }
        becomeLeader(prepare, &output)
    }

    /// Takes the lead: re-proposes, under its own ballot, the value each open slot must keep
    /// (the promised entry with the highest ballot, or a chosen one), a no-op in a hole.
    private mutating func becomeLeader(_ prepare: PrepareState, _ output: inout ReplicaOutput) {
        guard let state else { return }
        let applied = state.appliedThrough
        var merged: [Slot: LogEntry] = [:]
        if !options.defects.contains(.leaderIgnoresPromisedValues) {
            for report in prepare.promises {
                for item in report.entries where item.slot > applied {
                    merged[item.slot] = Self.stronger(merged[item.slot], item.entry)
                }
            }
        }
        let lastSlot = merged.keys.max() ?? applied
        leadership = LeaderState(
            ballot: prepare.ballot, nextSlot: applied + 1, memberCount: state.configuration.members.count, now: now)
        role = .leading
        leaderHint = node
        output.events.append(.becameLeader(prepare.ballot))
        if lastSlot > applied {
            for slot in (applied + 1)...lastSlot {
                propose(merged[slot]?.batch ?? [.noop], &output)
            }
        }
        startRound(&output)
        proposeQueued(&output)
    }

    /// Of two entries reported for one slot, the one a new leader must keep.
    private static func stronger(_ current: LogEntry?, _ candidate: LogEntry) -> LogEntry {
        guard let current else { return candidate }
        if current.isChosen { return current }
        if candidate.isChosen { return candidate }
        return candidate.ballot > current.ballot ? candidate : current
    }

    /// A refusal: if it answers this replica's current ballot, someone promised higher; stand down.
    mutating func receiveReject(attempted: Ballot, promised higher: Ballot, _ output: inout ReplicaOutput) {
        if higher.epoch == state?.configuration.epoch {
            highestRoundSeen = max(highestRoundSeen, higher.round)
        }
        guard higher > attempted else { return }
        switch role {
        case .preparing(let prepare) where prepare.ballot == attempted:
            becomeFollower(&output)
        case .leading where leadership?.ballot == attempted:
            becomeFollower(&output)
        case .follower, .polling, .preparing, .leading:
            break
        }
    }

    /// Returns to following, answering whatever a leader held.
    mutating func becomeFollower(_ output: inout ReplicaOutput) {
        stepDownIfLeading(&output)
        role = .follower
        resetElectionDeadline()
    }

    /// Adopts `ballot`'s owner as leader after hearing from it.
    mutating func follow(_ ballot: Ballot, _ output: inout ReplicaOutput) {
        switch role {
        case .leading where leadership?.ballot == ballot:
            return
        case .follower, .polling, .preparing, .leading:
            break
        }
        stepDownIfLeading(&output)
        role = .follower
        leaderHint = ballot.node
        lastLeaderContact = now
        resetElectionDeadline()
    }
}
