import ColonyCore
import ColonyWire

/// Requests from clients and from the control plane.
extension NodeCore {
    /// A client's request, answered under `waiter` with the cell's reply, or with `timedOut`
    /// after `timeoutTicks` ticks (a write's outcome is then unknown: retry it with the same
    /// id). A request whose id already waits takes the answer over; the earlier waiter is
    /// answered `superseded`.
    public mutating func submit(_ request: ClientRequest, waiter: WaiterID, timeoutTicks: UInt64) {
        statistics.requestsReceived += 1
        guard !isStopped else { return answerStopped(waiter) }
        wait(waiter, for: request, purpose: .client, timeoutTicks: timeoutTicks)
        carryOut(host.submit(request))
    }

    /// Replaces a member of `cell` through its log for the control plane, after the
    /// replica's verdict (`CellReplica.membershipChangeVerdict`) allows it; answered under
    /// `waiter` with a `MembershipChangeOutcome`, or `timedOut` after `timeoutTicks` ticks
    /// (the change may still be applied: retry it, and the verdict answers it as applied).
    /// The change goes in as a write under a fresh request id whose client id has the top
    /// bit set (the space client libraries never draw, shared with renewals).
    public mutating func changeMembership(
        _ cell: CellID, _ change: MembershipChange, expectedEpoch: Epoch, waiter: WaiterID, timeoutTicks: UInt64
    ) {
        guard !isStopped else { return answerStopped(waiter) }
        let immediate: MembershipChangeOutcome
        // A resting leader knows nothing of its members' liveness since it went quiet: awake,
        // it counts a member live again only once that member answers it.
        host.wake(cell)
        if let tombstone = host.tombstone(cell) {
            immediate = .deleted(tombstone)
        } else if let replica = host.replica(cell) {
            switch replica.membershipChangeVerdict(change, expectedEpoch: expectedEpoch) {
            case .alreadyApplied(let configuration):
                immediate = .alreadyApplied(configuration)
            case .refused(let refusal):
                immediate = .refused(refusal)
            case .propose:
                let id = RequestID(client: ClientID(1 << 63 | random.next() >> 1), sequence: 1)
                let request = ClientRequest(id: id, cell: cell, operation: .changeMembership(change), opensSession: true)
                wait(waiter, for: request, purpose: .membershipChange, timeoutTicks: timeoutTicks)
                carryOut(host.submit(request))
                return
            }
        } else {
            immediate = .notHosted
        }
        pending.answers.append(NodeAnswer(waiter: waiter, outcome: .membershipChange(immediate)))
    }

    /// Asks this node's replica of `cell`, if it leads, to hand the lead to member `target`
    /// (see `CellReplica.transferLeadership(to:)`); the request leaves with the next effects.
    public mutating func transferLeadership(of cell: CellID, to target: NodeID) -> LeadershipTransferOutcome {
        guard !isStopped else { return .stopping }
        if let tombstone = host.tombstone(cell) { return .deleted(tombstone) }
        switch host.transferLeadership(of: cell, to: target) {
        case nil:
            return .notHosted
        case .success(let output)?:
            carryOut(output)
            return .asked
        case .failure(let refusal)?:
            return .refused(refusal)
        }
    }

    /// Forces this node's damaged replica of `cell` to vote again without a renewal, at an
    /// operator's explicit request (see `CellReplica.forceHeal()`; `ForceRecovery` decides
    /// whether the cell needs it). The replica votes once the record of it is durable: its
    /// messages wait behind it, as every output's do.
    public mutating func forceHeal(_ cell: CellID) -> ForcedHealOutcome {
        guard !isStopped else { return .stopping }
        if let tombstone = host.tombstone(cell) { return .deleted(tombstone) }
        switch host.forceHeal(cell) {
        case nil:
            return .notHosted
        case .success(let output)?:
            statistics.forcedHeals += 1
            carryOut(output)
            return .forced(appliedThrough: host.replica(cell)?.appliedThrough ?? 0)
        case .failure(let refusal)?:
            return .refused(refusal)
        }
    }

    /// Answers `waiter` at once: the node stopped, so nothing it is asked can be done here.
    mutating func answerStopped(_ waiter: WaiterID) {
        pending.answers.append(NodeAnswer(waiter: waiter, outcome: .noAnswer(.stopping)))
    }

    /// Registers `waiter` for the reply to `request`; an earlier waiter of the same id is
    /// answered `superseded` (the client retried before it was answered).
    private mutating func wait(_ waiter: WaiterID, for request: ClientRequest, purpose: WaiterTable.Purpose, timeoutTicks: UInt64) {
        // A client's timeout is its own number: a deadline past the end of time saturates.
        let entry = WaiterTable.Waiter(id: waiter, purpose: purpose, deadline: now.saturatingAdding(max(1, timeoutTicks)))
        guard let earlier = waiters.add(entry, for: WaiterTable.Key(cell: request.cell, request: request.id)) else { return }
        let superseded = ClientReply(id: request.id, cell: request.cell, outcome: .unavailable(.superseded))
        pending.answers.append(answer(earlier, with: superseded))
    }
}
