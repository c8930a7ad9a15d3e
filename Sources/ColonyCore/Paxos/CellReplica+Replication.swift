extension CellReplica {
    /// Phase 2a arrives: accept the batch unless a higher ballot was promised.
    mutating func receiveAccept(
        _ ballot: Ballot, slot: Slot, batch: Batch, commit: Slot, from sender: NodeID, _ output: inout ReplicaOutput
    ) {
        if ballot < promised, options.defects.contains(.acceptIgnoresPromise) {
            store(batch, ballot: ballot, at: slot, answering: sender, &output)
            return
        }
        guard followLeader(ballot, from: sender, &output) else { return }
        store(batch, ballot: ballot, at: slot, answering: sender, &output)
        noteCommit(ballot, commit, &output)
    }

    /// A message from a leader: refuse it if a higher ballot was promised; otherwise promise
    /// its ballot (durably, if it is new) and follow it. Returns whether it was followed.
    mutating func followLeader(_ ballot: Ballot, from sender: NodeID, _ output: inout ReplicaOutput) -> Bool {
        highestRoundSeen = max(highestRoundSeen, ballot.round)
        guard ballot >= promised else {
            output.send(.reject(attempted: ballot, promised: promised), to: sender, cell: cell)
            return false
        }
        if ballot > promised {
            promised = ballot
            persistPromise(ballot, &output)
        }
        precondition(promised == ballot, "Invalid state: cell \(cell.name) follows \(ballot) having promised \(promised)")
        follow(ballot, &output)
        return true
    }

    /// Stores an accepted batch and acknowledges it, unless the slot is already decided
    /// otherwise or lies beyond what this replica can hold.
    private mutating func store(_ batch: Batch, ballot: Ballot, at slot: Slot, answering sender: NodeID, _ output: inout ReplicaOutput) {
        if slot <= appliedThrough {
            output.send(.accepted(ballot, slot: slot), to: sender, cell: cell)
            return
        }
        guard slot < log.firstSlot + options.logSlotsMax else { return }
        let existing = log[slot]
        if let existing, existing.isChosen, existing.batch != batch { return }
        let chosen = (existing?.isChosen ?? false) || (leaderCommit.ballot == ballot && slot <= leaderCommit.slot)
        let entry = LogEntry(ballot: ballot, batch: batch, isChosen: chosen)
        // Promised ≥ accepted: an acceptor votes only for the ballot it follows.
        precondition(
            ballot <= promised || options.defects.contains(.acceptIgnoresPromise),
            "Invalid state: cell \(cell.name) accepts \(ballot) having promised \(promised)")
        keep(entry, at: slot)
        output.persist.append(.accepted(slot: slot, entry: entry))
        output.send(.accepted(ballot, slot: slot), to: sender, cell: cell)
        if chosen {
            applyChosen(&output)
        }
    }

    /// A leader's heartbeat: follow it, acknowledge the round, learn its applied point.
    mutating func receiveHeartbeat(_ ballot: Ballot, commit: Slot, round: UInt64, from sender: NodeID, _ output: inout ReplicaOutput) {
        guard followLeader(ballot, from: sender, &output) else { return }
        output.send(.heartbeatReply(ballot, round: round, appliedThrough: appliedThrough), to: sender, cell: cell)
        noteCommit(ballot, commit, &output)
    }

    /// Learns that the leader of `ballot` has applied through `commit`: every entry accepted
    /// here under that same ballot up to that slot is the slot's chosen value.
    mutating func noteCommit(_ ballot: Ballot, _ commit: Slot, _ output: inout ReplicaOutput) {
        if ballot == leaderCommit.ballot {
            leaderCommit.slot = max(leaderCommit.slot, commit)
        } else {
            leaderCommit = (ballot, commit)
        }
        knownChosenThrough = max(knownChosenThrough, commit)
        let last = min(leaderCommit.slot, log.endSlot - 1)
        var slot = appliedThrough + 1
        while slot <= last {
            if log[slot]?.ballot == ballot {
                log.markChosen(slot)
            }
            slot += 1
        }
        applyChosen(&output)
    }

    /// Applies every chosen entry that follows the applied point, in order, then lets a
    /// leader move on and takes a snapshot when one is due.
    mutating func applyChosen(_ output: inout ReplicaOutput) {
        guard hasState else { return }
        while let entry = log[appliedThrough + 1], entry.isChosen {
            apply(entry.batch, at: appliedThrough + 1, &output)
            if tombstone != nil { return }
        }
        if isLeader {
            let applied = appliedThrough
            let done = leaderState.proposals.prefix { $0.slot <= applied }.count
            if done > 0 {
                leaderState.proposals.removeFirst(done)
            }
            proposeQueued(&output)
            serveReads(&output)
        }
        if appliedThrough - snapshotSlot >= options.snapshotIntervalSlots {
            takeSnapshot(&output)
        }
        healIfRenewed(&output)
    }

    private mutating func apply(_ batch: Batch, at slot: Slot, _ output: inout ReplicaOutput) {
        let previous = state?.configuration
        let deduplicate = !options.defects.contains(.skipDeduplication)
        let results = state?.apply(batch, at: slot, deduplicate: deduplicate) ?? []
        knownChosenThrough = max(knownChosenThrough, slot)
        output.events.append(.applied(slot: slot, batch: batch))
        for result in results {
            if let revision = result.restoredAt { feed.reset(at: revision) }
            if let change = result.change {
                feed.append(change, changesKeptMax: options.changesKeptMax, bytesKeptMax: options.changeBytesKeptMax)
            }
        }
        if isLeader {
            for result in results where leaderState.pendingWrites.remove(result.id) != nil {
                output.reply(result.id, cell: cell, result.outcome.clientOutcome)
            }
        }
        if let configuration = previous, let revision = state?.store.revision,
           results.contains(where: { $0.outcome == .completed(.success(.cellDeleted)) })
        {
            applyDeletion(CellTombstone(configuration: configuration, slot: slot, revision: revision), &output)
            return
        }
        if let previous, state?.configuration.epoch != previous.epoch {
            enterNewEpoch(after: previous, &output)
        }
    }

    /// This leader applied the change that removes it: so that the cell is not left waiting
    /// an election timeout for a leader, it tells the members that stay what is chosen (a
    /// heartbeat carrying the commit) and asks the one it heard from most recently to take
    /// over at once (`takeOver`: that member runs phase 1, which is always safe).
    private mutating func handOverOnRemoval(
        previous: CellConfiguration, next configuration: CellConfiguration, _ output: inout ReplicaOutput
    ) {
        guard let leader = leadership, let state, leader.lastHeard.count == previous.members.count else { return }
        let staying = previous.members.indices.filter { previous.members[$0] != node && configuration.contains(previous.members[$0]) }
        for index in staying {
            output.send(.heartbeat(leader.ballot, commit: state.appliedThrough, round: leader.round), to: previous.members[index], cell: cell)
        }
        guard let successor = leader.byLastHeard(staying).first else { return }
        output.send(.takeOver(leader.ballot), to: previous.members[successor], cell: cell)
    }

    /// A membership change was just applied: the old epoch ends here. Slots the old epoch
    /// put after the change are dropped, the state is snapshotted so the new configuration is
    /// durable, and a leader that stays a member leads the new epoch at once.
    private mutating func enterNewEpoch(after previous: CellConfiguration, _ output: inout ReplicaOutput) {
        guard let configuration = state?.configuration else { return }
        let wasLeading = isLeader
        if wasLeading {
            // Nobody of the new epoch talks to a removed member: tell it, so it catches up
            // and learns it is out rather than waiting to time out.
            for member in previous.members where !configuration.contains(member) && member != node {
                output.send(.staleEpoch(configuration), to: member, cell: cell)
            }
            if !configuration.contains(node) { handOverOnRemoval(previous: previous, next: configuration, &output) }
        }
        let previousLeader = leaderHint
        stepDownIfLeading(&output)
        role = .follower
        log.discard(from: appliedThrough + 1)
        highestRoundSeen = 0
        leaderCommit = (.zero, 0)
        output.events.append(.configurationChanged(configuration))
        takeSnapshot(&output)
        guard configuration.contains(node) else {
            leaderHint = nil
            return
        }
        if wasLeading {
            startPrepare(&output)
        } else if let previousLeader, configuration.contains(previousLeader) {
            leaderHint = previousLeader
            lastLeaderContact = now
            resetElectionDeadline()
        } else {
            leaderHint = nil
            resetElectionDeadline()
        }
    }

    /// Persists the whole state and forgets the log up to it.
    mutating func takeSnapshot(_ output: inout ReplicaOutput) {
        guard let state else { return }
        precondition(state.appliedThrough >= snapshotSlot, "Invalid state: cell \(cell.name) snapshots at \(state.appliedThrough), behind \(snapshotSlot)")
        output.persist.append(.snapshot(state))
        snapshotSlot = state.appliedThrough
        log.discard(through: snapshotSlot)
    }
}

extension CommandOutcome {
    /// How the client hears of this outcome.
    var clientOutcome: ClientOutcome {
        switch self {
        case .completed(let result): return .completed(result)
        case .superseded: return .unavailable(.superseded)
        case .sessionExpired: return .sessionExpired
        case .abandoned: return .unavailable(.reconfiguring)
        }
    }
}
