import ColonyCore
import ColonyWire

/// Carrying out what the replicas ask for: notes at once, records into the next append, a
/// leader's accepts at once, other messages and replies once those records are durable.
extension NodeCore {
    /// Takes a host's output under the ordering contract: its events are noted now; its
    /// records join the next append; its messages and replies are released now if they rest
    /// on nothing that is not durable, or held until they do not, all but its accepts, which
    /// leave now either way (`DurabilityGate`).
    mutating func carryOut(_ output: HostOutput) {
        guard !output.isEmpty else { return }
        for event in output.events {
            count(event.event)
            pending.notes.append(.cell(event))
        }
        let (early, released) = gate.admit(output)
        for batch in early {
            outbox.add(batch)
        }
        if let released {
            release(released)
        }
        deliverOwnMessages()
    }

    /// Sends an output's messages and delivers its replies: every record behind them is
    /// durable. Messages to this node (a leader's own votes) wait in `ownMessages` to come
    /// back to its replicas once the whole release is done, so that nothing they cause
    /// overtakes an output released with them.
    mutating func release(_ output: HostOutput) {
        for batch in output.batches {
            if batch.to == node {
                ownMessages.append(contentsOf: batch.messages)
            } else {
                outbox.add(batch)
            }
        }
        if !output.liveness.isEmpty {
            let frame = PeerFrame.liveness(incarnation: host.incarnation).encoded(level: formatWritten)
            for peer in output.liveness {
                pending.frames.append(OutgoingFrame(to: peer, bytes: frame, messageCount: 0, isControl: false))
            }
        }
        for reply in output.replies {
            guard let waiter = waiters.take(WaiterTable.Key(cell: reply.cell, request: reply.id)) else { continue }
            pending.answers.append(answer(waiter, with: reply))
        }
        for event in output.events {
            switch event.event {
            case .deleted(let tombstone):
                answerWaiters(of: event.cell, tombstone)
                markChanged(event.cell)
            case .applied, .installedSnapshot, .configurationChanged:
                markChanged(event.cell)
            case .stoodForElection, .becameLeader, .steppedDown, .healed, .forcedHeal, .refusedMessage, .roundsExhausted:
                break
            }
        }
    }

    /// Hands the messages the replicas here addressed to this node back to them. What they
    /// answer is carried out like any output (it cannot address this node again before new
    /// records are durable, so this ends).
    mutating func deliverOwnMessages() {
        while !ownMessages.isEmpty {
            let messages = ownMessages
            ownMessages.removeAll()
            carryOut(host.receive(messages, from: node))
        }
    }

    /// The answer to `waiter` made of its cell's `reply`.
    func answer(_ waiter: WaiterTable.Waiter, with reply: ClientReply) -> NodeAnswer {
        switch waiter.purpose {
        case .client:
            return NodeAnswer(waiter: waiter.id, outcome: .reply(reply))
        case .membershipChange:
            return NodeAnswer(waiter: waiter.id, outcome: .membershipChange(Self.membershipOutcome(of: reply)))
        }
    }

    /// What a cell's reply to a membership change means for the control plane.
    static func membershipOutcome(of reply: ClientReply) -> MembershipChangeOutcome {
        switch reply.outcome {
        case .completed(.success(.membershipChanged(let configuration))):
            return .applied(configuration)
        case .completed(.failure(.invalidMembershipChange(let error))), .rejected(.invalidMembershipChange(let error)):
            return .refused(.invalid(error))
        case .redirect(let leader, let configuration?):
            return .refused(.notLeader(leader: leader, configuration: configuration))
        case .completed, .rejected, .redirect, .staleEpoch, .unavailable, .sessionExpired:
            return .unavailable("cell \(reply.cell.name) answered the change with \(reply.outcome); look at the cell and retry")
        }
    }

    /// The cell was deleted: requests still waiting for it get no answer from its replica,
    /// so they get the tombstone's.
    private mutating func answerWaiters(of cell: CellID, _ tombstone: CellTombstone) {
        for (key, waiter) in waiters.takeAll(of: cell) {
            let request = ClientRequest(id: key.request, cell: cell, operation: .deleteCell)
            pending.answers.append(answer(waiter, with: tombstone.reply(to: request)))
        }
    }

    private mutating func markChanged(_ cell: CellID) {
        guard changedCellSet.insert(cell).inserted else { return }
        pending.changedCells.append(cell)
    }

    private mutating func count(_ event: ReplicaEvent) {
        switch event {
        case .becameLeader: statistics.leaderChanges += 1
        case .applied: statistics.slotsApplied += 1
        case .stoodForElection, .steppedDown, .installedSnapshot, .configurationChanged, .healed, .forcedHeal, .deleted, .refusedMessage,
            .roundsExhausted:
            break
        }
    }
}
