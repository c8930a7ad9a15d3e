extension CellReplica {
    /// Asks `source` for the chosen slots after this replica's applied point (or, with no
    /// state yet, for a snapshot), at most once per `catchUpRetryTicks`.
    mutating func requestCatchUp(from source: NodeID, _ output: inout ReplicaOutput) {
        catchUpSource = source
        if let last = lastCatchUpRequestAt, now - last < options.catchUpRetryTicks { return }
        lastCatchUpRequestAt = now
        let fromSlot = state.map { $0.appliedThrough + 1 } ?? 0
        output.send(.catchUpRequest(fromSlot: fromSlot), to: source, cell: cell)
    }

    /// Retries catching up while this replica knows it is behind.
    mutating func catchUpTick(_ output: inout ReplicaOutput) {
        guard !isLeader else { return }
        let behind = !hasState || knownChosenThrough > appliedThrough
        guard behind, let source = leaderHint ?? catchUpSource, source != node else { return }
        requestCatchUp(from: source, &output)
    }

    /// Answers a catch-up request with chosen entries from the log, or with the whole state
    /// when the entries asked for are already folded into a snapshot.
    mutating func serveCatchUp(fromSlot: Slot, to requester: NodeID, _ output: inout ReplicaOutput) {
        guard let state else { return }
        let applied = state.appliedThrough
        guard fromSlot <= applied else { return }
        var entries: [SlotEntry] = []
        if fromSlot >= log.firstSlot {
            let last = min(applied, fromSlot + Slot(options.catchUpEntriesMax) - 1)
            for slot in fromSlot...last {
                guard var entry = log[slot] else { break }
                entry.isChosen = true
                entries.append(SlotEntry(slot: slot, entry: entry))
            }
        }
        if entries.isEmpty {
            output.send(.snapshot(state), to: requester, cell: cell)
        } else {
            output.send(.catchUpEntries(entries, commit: applied), to: requester, cell: cell)
        }
    }

    /// Takes chosen entries that continue the applied point, persists and applies them.
    mutating func receiveCatchUpEntries(_ entries: [SlotEntry], commit: Slot, _ output: inout ReplicaOutput) {
        guard hasState else { return }
        if isLeader, entries.contains(where: { $0.slot > appliedThrough }) {
            // Others chose slots this leader never proposed: it was deposed without noticing.
            becomeFollower(&output)
        }
        knownChosenThrough = max(knownChosenThrough, commit)
        for item in entries where item.slot > appliedThrough {
            guard item.slot == appliedThrough + 1 else { break }
            if let existing = log[item.slot], existing.isChosen, existing.batch != item.entry.batch { break }
            let entry = LogEntry(ballot: item.entry.ballot, batch: item.entry.batch, isChosen: true)
            keep(entry, at: item.slot)
            output.persist.append(.accepted(slot: item.slot, entry: entry))
            applyChosen(&output)
        }
        lastCatchUpRequestAt = nil
        if knownChosenThrough > appliedThrough, let source = catchUpSource {
            requestCatchUp(from: source, &output)
        }
        finishPrepareIfReady(&output)
    }

    /// Replaces the state with a newer snapshot from a peer and persists it.
    mutating func install(_ snapshot: CellState, _ output: inout ReplicaOutput) {
        if let state, snapshot.appliedThrough <= state.appliedThrough { return }
        let previousEpoch = state?.configuration.epoch
        if isLeader {
            becomeFollower(&output)
        }
        state = snapshot
        feed.reset(at: snapshot.store.revision)
        snapshotSlot = snapshot.appliedThrough
        knownChosenThrough = max(knownChosenThrough, snapshot.appliedThrough)
        log.discard(through: snapshot.appliedThrough)
        output.persist.append(.snapshot(snapshot))
        output.events.append(.installedSnapshot(appliedThrough: snapshot.appliedThrough))
        if previousEpoch != snapshot.configuration.epoch {
            log.discard(olderThan: snapshot.configuration.epoch)
            role = .follower
            // A replica that held no state kept the rounds it saw of any epoch, for a forced
            // heal's floor (`noteRoundWhileDamaged`): too high a floor only costs a round.
            if previousEpoch != nil { highestRoundSeen = 0 }
            leaderCommit = (.zero, 0)
            leaderHint = nil
            resetElectionDeadline()
            output.events.append(.configurationChanged(snapshot.configuration))
        }
        lastCatchUpRequestAt = nil
        applyChosen(&output)
        finishPrepareIfReady(&output)
    }
}
