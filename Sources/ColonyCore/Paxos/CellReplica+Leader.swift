extension CellReplica {
    /// The leader's state, read and changed in place. Only valid while the replica leads.
    var leaderState: LeaderState {
        _read {
            precondition(isLeader, "Invalid state: not leading")
            yield leadership!
        }
        _modify {
            precondition(isLeader, "Invalid state: not leading")
            yield &leadership!
        }
    }

    /// The leader's own position among the members.
    private var selfIndex: Int? { state?.configuration.index(of: node) }

    /// Phase 2a: accepts `batch` for the next slot itself and asks the members to accept it.
    ///
    /// The node sends the `accept`s while the leader's own record of the slot is still being
    /// written (its disk and its followers' work in parallel, as in etcd raft's asynchronous
    /// storage writes), so the leader's vote counts only once that record is durable: it is
    /// an `accepted` the leader addresses to its own node, which, like every vote, leaves only
    /// after the records behind it are durable and then comes back to this replica. A slot is
    /// thus chosen here only by durable votes, and the `commit` every later message carries
    /// (the applied point) never rests on a vote a crash could take back.
    mutating func propose(_ batch: Batch, _ output: inout ReplicaOutput) {
        guard let state, let selfIndex else { return }
        let ballot = leaderState.ballot
        let slot = leaderState.nextSlot
        let entry = LogEntry(ballot: ballot, batch: batch, isChosen: false)
        precondition(slot > state.appliedThrough, "Invalid state: cell \(cell.name) proposes slot \(slot), applied through \(state.appliedThrough)")
        precondition(ballot == promised, "Invalid state: cell \(cell.name) leads with \(ballot) but promised \(promised)")
        keep(entry, at: slot)
        output.persist.append(.accepted(slot: slot, entry: entry))
        let countsOwnVoteAtOnce = options.defects.contains(.countsOwnVoteBeforeDurable)
        let acks = countsOwnVoteAtOnce ? MemberSet(selfIndex) : MemberSet()
        leaderState.proposals.append(Proposal(slot: slot, batch: batch, acks: acks, sentAt: now))
        leaderState.nextSlot = slot + 1
        if batch.contains(where: \.isStopSign) {
            leaderState.stopSignSlot = slot
        }
        broadcast(.accept(ballot, slot: slot, batch: batch, commit: state.appliedThrough), &output)
        if !countsOwnVoteAtOnce {
            output.send(.accepted(ballot, slot: slot), to: node, cell: cell)
        }
    }

    /// Moves queued writes into new slots while the pipeline has room and no stop sign is
    /// pending.
    mutating func proposeQueued(_ output: inout ReplicaOutput) {
        guard isLeader else { return }
        while leaderState.stopSignSlot == nil, leaderState.proposals.count < options.pipelineDepthMax,
              !leaderState.queue.isEmpty
        {
            let commands = leaderState.takeBatch(commandsMax: options.batchCommandsMax, bytesMax: options.batchBytesMax)
            propose(commands.map(Command.client), &output)
        }
    }

    /// A leader's tick: steps down without a majority, sends heartbeats, resends what is unanswered.
    mutating func leaderTick(_ output: inout ReplicaOutput) {
        guard let state, let selfIndex else { return }
        let heard = leaderState.membersHeard(within: options.electionTimeoutTicks, now: now, selfIndex: selfIndex)
        guard heard >= state.configuration.quorum else {
            becomeFollower(&output)
            return
        }
        if quiesceIfIdle(&output) { return }
        let sinceRound = now - leaderState.roundStartedAt
        let readsStalled = leaderState.roundInFlight && !leaderState.reads.isEmpty && sinceRound >= options.retransmitTicks
        if sinceRound >= options.heartbeatIntervalTicks || readsStalled {
            startRound(&output)
        }
        resendUnchosenProposals(&output)
        if handOffDue {
            askToTakeOver(&output)
        }
    }

    private mutating func resendUnchosenProposals(_ output: inout ReplicaOutput) {
        guard let state else { return }
        let ballot = leaderState.ballot
        for index in leaderState.proposals.indices {
            let proposal = leaderState.proposals[index]
            guard !proposal.isChosen, now - proposal.sentAt >= options.retransmitTicks else { continue }
            leaderState.proposals[index].sentAt = now
            for (memberIndex, member) in state.configuration.members.enumerated()
            where member != node && !proposal.acks.contains(memberIndex) {
                output.send(
                    .accept(ballot, slot: proposal.slot, batch: proposal.batch, commit: state.appliedThrough),
                    to: member, cell: cell)
            }
        }
    }

    /// Starts a heartbeat round, which confirms leadership for every read that arrived before it.
    mutating func startRound(_ output: inout ReplicaOutput) {
        guard let state, let selfIndex else { return }
        leaderState.round += 1
        leaderState.roundAcks = MemberSet(selfIndex)
        leaderState.roundStartedAt = now
        leaderState.roundWanted = false
        broadcast(.heartbeat(leaderState.ballot, commit: state.appliedThrough, round: leaderState.round), &output)
    }

    /// Phase 2b arrives: a majority of acceptances chooses the slot.
    mutating func receiveAccepted(_ ballot: Ballot, slot: Slot, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard leaderBallot == ballot, let configuration = state?.configuration,
              let memberIndex = configuration.index(of: sender)
        else { return }
        leaderState.lastHeard[memberIndex] = now
        leaderState.answered.insert(memberIndex)
        leaderState.answeredSinceWake?.insert(memberIndex)
        guard let index = leaderState.proposalIndex(for: slot) else { return }
        leaderState.proposals[index].acks.insert(memberIndex)
        let needed = options.defects.contains(.minorityQuorum) ? configuration.quorum - 1 : configuration.quorum
        guard !leaderState.proposals[index].isChosen, leaderState.proposals[index].acks.count >= needed else { return }
        leaderState.proposals[index].isChosen = true
        log.markChosen(slot)
        applyChosen(&output)
    }

    /// A member acknowledged a heartbeat round; a majority confirms the round's reads.
    mutating func receiveHeartbeatReply(
        _ ballot: Ballot, round: UInt64, appliedThrough: Slot, from sender: NodeID, _ output: inout ReplicaOutput
    ) {
        guard leaderBallot == ballot, let configuration = state?.configuration,
              let memberIndex = configuration.index(of: sender)
        else { return }
        leaderState.lastHeard[memberIndex] = now
        leaderState.reportedApplied[memberIndex] = max(leaderState.reportedApplied[memberIndex], appliedThrough)
        leaderState.answered.insert(memberIndex)
        leaderState.answeredSinceWake?.insert(memberIndex)
        guard round == leaderState.round, leaderState.roundInFlight else { return }
        leaderState.roundAcks.insert(memberIndex)
        guard leaderState.roundAcks.count >= configuration.quorum else { return }
        leaderState.confirmedRound = round
        serveReads(&output)
        if leaderState.roundWanted {
            startRound(&output)
        }
    }

    /// Answers, in arrival order, every read whose round is confirmed and whose read index is applied.
    mutating func serveReads(_ output: inout ReplicaOutput) {
        guard isLeader, let state else { return }
        var served = 0
        for read in leaderState.reads {
            guard read.round <= leaderState.confirmedRound, read.readIndex <= state.appliedThrough else { break }
            output.reply(read.id, cell: cell, .completed(state.store.read(read.operation, limits: state.configuration.limits)))
            served += 1
        }
        if served > 0 {
            leaderState.reads.removeFirst(served)
        }
    }

    /// Stops leading, telling every client still waiting to retry elsewhere. Writes already
    /// proposed may yet be chosen; their clients' retries, under the same request ids, will
    /// learn their results without applying them twice.
    mutating func stepDownIfLeading(_ output: inout ReplicaOutput) {
        guard let leader = leadership else { return }
        leadership = nil
        role = .follower
        leaderHint = nil
        var answered: Set<RequestID> = []
        let waiting = leader.proposals.flatMap(\.batch).compactMap(\.clientCommand) + leader.queue
        for command in waiting where leader.pendingWrites.contains(command.id) && answered.insert(command.id).inserted {
            output.reply(command.id, cell: cell, .unavailable(.leadershipLost))
        }
        for read in leader.reads {
            output.reply(read.id, cell: cell, .redirect(leader: nil, configuration: state?.configuration))
        }
        output.events.append(.steppedDown(leader.ballot))
    }
}

extension Command {
    /// The client command inside, if this is one.
    var clientCommand: ClientCommand? {
        switch self {
        case .client(let command): return command
        case .noop: return nil
        }
    }
}
