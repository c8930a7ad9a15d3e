extension CellReplica {
    /// Handles a client request for this cell.
    ///
    /// Stale reads are answered by any member from its applied state. Everything else is
    /// the leader's: a follower redirects the client with its best guess of the leader and
    /// the current members.
    public mutating func submit(_ request: ClientRequest) -> ReplicaOutput {
        var output = ReplicaOutput()
        wake(leaderLive: true)
        if let tombstone {
            output.replies.append(tombstone.reply(to: request))
            return output
        }
        guard let configuration = state?.configuration else {
            output.reply(request.id, cell: cell, .unavailable(.catchingUp))
            return output
        }
        if let expected = request.expectedEpoch, expected != configuration.epoch {
            let outcome: ClientOutcome = expected < configuration.epoch ? .staleEpoch(configuration) : .unavailable(.catchingUp)
            output.reply(request.id, cell: cell, outcome)
            return output
        }
        guard isMember else {
            output.reply(request.id, cell: cell, .redirect(leader: nil, configuration: configuration))
            return output
        }
        if request.operation.isRead, request.consistency == .stale, let store = state?.store {
            output.reply(request.id, cell: cell, .completed(store.read(request.operation, limits: configuration.limits)))
            return output
        }
        guard isLeader else {
            output.reply(request.id, cell: cell, .redirect(leader: leaderHint, configuration: configuration))
            return output
        }
        if request.operation.isRead {
            enqueueRead(request, &output)
        } else {
            enqueueWrite(request, configuration: configuration, &output)
        }
        return output
    }

    /// Queues a linearizable read behind a confirmation round that starts after it arrived.
    private mutating func enqueueRead(_ request: ClientRequest, _ output: inout ReplicaOutput) {
        guard leaderState.reads.count < options.pendingReadsMax else {
            output.reply(request.id, cell: cell, .unavailable(.overloaded))
            return
        }
        let round: UInt64
        if options.defects.contains(.readsSkipConfirmation) {
            round = 0
        } else if options.defects.contains(.quiescentReadsSkipConfirmation), leaderState.wokeAt == now {
            round = leaderState.confirmedRound
        } else if leaderState.roundInFlight {
            round = leaderState.roundForNewRead
            leaderState.roundWanted = true
        } else {
            startRound(&output)
            round = leaderState.round
        }
        let readIndex = leaderState.nextSlot - 1
        leaderState.reads.append(PendingRead(id: request.id, operation: request.operation, readIndex: readIndex, round: round))
        serveReads(&output)
    }

    /// Queues a write for the next slot, unless the cell already knows its fate.
    mutating func enqueueWrite(_ request: ClientRequest, configuration: CellConfiguration, _ output: inout ReplicaOutput) {
        if let error = request.operation.validationError(in: configuration) {
            output.reply(request.id, cell: cell, .rejected(error))
            return
        }
        if !options.defects.contains(.skipDeduplication) {
            switch state?.sessionVerdict(for: request.id, opensSession: request.opensSession) ?? .apply {
            case .duplicate(let result):
                output.reply(request.id, cell: cell, .completed(result))
                return
            case .superseded:
                output.reply(request.id, cell: cell, .unavailable(.superseded))
                return
            case .expired:
                output.reply(request.id, cell: cell, .sessionExpired)
                return
            case .apply:
                break
            }
            // Already queued or proposed: its reply comes when its slot is applied.
            if leaderState.pendingWrites.contains(request.id) { return }
        }
        guard leaderState.stopSignSlot == nil else {
            output.reply(request.id, cell: cell, .unavailable(.reconfiguring))
            return
        }
        guard leaderState.pendingWrites.count < options.pendingWritesMax else {
            output.reply(request.id, cell: cell, .unavailable(.overloaded))
            return
        }
        leaderState.pendingWrites.insert(request.id)
        leaderState.queue.append(ClientCommand(id: request.id, operation: request.operation, opensSession: request.opensSession))
        proposeQueued(&output)
    }
}
