import ColonyCore
import ColonyNodeCore

/// The control plane's requests to replace a member, both ends of them.
///
/// The operator's side sends a change through a client of its own that retries like any
/// client but is left out of the history, and keeps the epoch the change was decided at
/// across its retries. The node's side is the production node core
/// (`NodeCore.changeMembership`): the cell's replica gives its verdict and the change enters
/// the log only when the replica allows it. The leader refuses a change that would leave fewer than a majority of members
/// live as it sees them, one decided at another epoch, and one made while another change is
/// being committed; the control plane then waits and decides again (`retryAfterMajorityRefusal`,
/// `retryAfterChangeRefusal`).
extension Simulation {
    /// Sends `change`, decided when cell `cellIndex` was at `expectedEpoch`, through an
    /// operator's client.
    mutating func requestMembershipChange(_ change: MembershipChange, cellIndex: Int, expectedEpoch: Epoch) {
        let clientIndex = clients.indices.first { !clients[$0].recordsHistory && clients[$0].current == nil }
            ?? addClient(recordsHistory: false)
        let planned = PlannedOperation(
            function: nil, cellIndex: cellIndex, key: nil, operation: .changeMembership(change),
            consistency: .linearizable, invokeValue: .null, expectedEpoch: expectedEpoch)
        begin(planned, clientIndex: clientIndex)
    }

    /// A node's answer to the control plane's request to replace a member, carried back to
    /// the operator's client as a reply (retried like any) or, for a refusal to wait on, as
    /// a refusal.
    mutating func answerMembershipChange(_ outcome: MembershipChangeOutcome, from node: NodeID, to route: WaiterRoute) {
        guard let operation = clients[route.clientIndex].current else { return }
        let request = operation.request
        let answer: ClientOutcome
        switch outcome {
        case .applied(let configuration), .alreadyApplied(let configuration):
            answer = .completed(.success(.membershipChanged(configuration)))
        case .refused(.noState):
            answer = .unavailable(.catchingUp)
        case .refused(.notLeader(let leader, let configuration)):
            answer = .redirect(leader: leader, configuration: configuration)
        case .refused(.invalid(let error)):
            answer = .rejected(.invalidMembershipChange(error))
        case .refused(let refusal):
            // Would lose a majority, another change in flight, or a stale epoch: the control
            // plane waits and decides again.
            guard let delay = network.clientDelay(using: &random) else { return }
            schedule(.controlRefusal(clientIndex: route.clientIndex, node: node, request: request.id, refusal: refusal), after: delay)
            return
        case .notHosted:
            answer = .redirect(leader: nil, configuration: nil)
        case .deleted(let tombstone):
            answer = tombstone.reply(to: request).outcome
        case .unavailable:
            answer = .unavailable(.reconfiguring)
        }
        sendReply(ClientReply(id: request.id, cell: request.cell, outcome: answer), from: node, to: route)
    }

    /// The operator's client hears that `node` refused its request `request`: the request
    /// ends, and the control plane waits before it decides again for the cell.
    mutating func receiveControlRefusal(_ refusal: MembershipChangeRefusal, request: RequestID, from node: NodeID, clientIndex: Int) {
        guard let operation = clients[clientIndex].current, operation.request.id == request,
              case .changeMembership(let change) = operation.planned.operation
        else { return }
        let cellIndex = operation.planned.cellIndex
        faultLog.append(FaultLogEntry(time: now, description: "\(cells[cellIndex]) \(change): \(node) refused: \(refusal)"))
        finish(clientIndex, type: .ok, value: .null)
        controlRequestRefused(cellIndex: cellIndex, change: change, refusal: refusal)
    }

    /// How long the control plane waits before asking a cell again after its leader refused
    /// a change that would leave fewer than a majority of members live: long enough for a
    /// member to come back or be replaced.
    var retryAfterMajorityRefusal: UInt64 { 500 * Nanoseconds.millisecond }
    /// How long it waits after a refusal for another change in flight or a stale epoch: long
    /// enough for the change in flight to be applied and reported.
    var retryAfterChangeRefusal: UInt64 { 100 * Nanoseconds.millisecond }

    /// A leader refused the change in flight on cell `cellIndex`: the control plane counts
    /// the refusal, reads the cell's members afresh, and waits before deciding again; a move
    /// of the `move` fault is put back to wait its turn.
    private mutating func controlRequestRefused(cellIndex: Int, change: MembershipChange, refusal: MembershipChangeRefusal) {
        let delay: UInt64
        switch refusal {
        case .wouldLoseMajority:
            statistics.control.refusalsWouldLoseMajority += 1
            delay = retryAfterMajorityRefusal
        case .changeInFlight:
            statistics.control.refusalsChangeInFlight += 1
            delay = retryAfterChangeRefusal
        case .staleEpoch:
            statistics.control.refusalsStaleEpoch += 1
            delay = retryAfterChangeRefusal
        case .noState, .notLeader, .invalid:
            preconditionFailure("Invalid state: a node answers \(refusal) as a client reply, not as a refusal")
        }
        let retry = now + delay
        control.retryAt[cellIndex] = retry
        guard let pending = control.inFlight[cellIndex], pending.change == change else { return }
        control.inFlight[cellIndex] = nil
        recount(cellIndex, asMembers: control.configurations[cellIndex].members)
        switch pending.reason {
        case .move, .moveBack:
            control.plannedMoves.append(PlannedMove(
                cellIndex: cellIndex, remove: change.remove, add: pending.reason == .moveBack ? change.add : nil,
                notBefore: retry, dropAfter: retry + 2 * Nanoseconds.second))
        case .drain, .removal, .rebalance, .nearMove:
            break
        }
        wakeControlPlane()
    }

    /// The operator's request for `change` ended without the change: refused, or (when
    /// `isUnknown`) timed out, so it may still be applied for a while.
    mutating func controlRequestEnded(cellIndex: Int, change: MembershipChange, isUnknown: Bool) {
        guard let pending = control.inFlight[cellIndex], pending.change == change else { return }
        if isUnknown {
            control.inFlight[cellIndex]?.unknownSince = now
            return
        }
        control.inFlight[cellIndex] = nil
        statistics.control.changesAbandoned += 1
        recount(cellIndex, asMembers: control.configurations[cellIndex].members)
    }
}
