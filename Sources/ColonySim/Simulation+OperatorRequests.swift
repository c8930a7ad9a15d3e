import ColonyControl
import ColonyCore
import ColonyNodeCore

/// Carrying the control plane's requests to the colony: each one's `RetryMachine` says which
/// node to ask and when to give up; the node's core answers as it answers any client or
/// control-plane call; the result goes to the control loop or to the operator's command.
extension Simulation {
    /// How the control plane's requests retry: as a simulated client's do.
    var operatorRetryPolicy: RetryPolicy {
        RetryPolicy(
            attemptTimeoutNanoseconds: options.attemptTimeout, deadlineNanoseconds: options.operationDeadline,
            backoffBaseNanoseconds: 5 * Nanoseconds.millisecond, backoffMaxNanoseconds: 50 * Nanoseconds.millisecond,
            backoffGrowth: .linear)
    }

    /// Starts a request of the control plane's, for `purpose`.
    mutating func startOperatorRequest(_ kind: OperatorRequest.Kind, for purpose: OperatorRequest.Purpose) {
        let view = control.views[kind.cell] ?? CachedCell(members: fleetNodeIDs, leader: nil)
        var machine = RetryMachine(
            policy: operatorRetryPolicy, isWrite: kind.isWrite, leader: view.leader, members: view.members, seeds: fleetNodeIDs)
        control.lastRequest += 1
        let guess = view.members[Int(random.next() % UInt64(view.members.count))]
        let action = machine.start(preferring: guess, now: now)
        control.requests[control.lastRequest] = OperatorRequest(kind: kind, purpose: purpose, machine: machine)
        carryOut(action, ofOperatorRequest: control.lastRequest)
    }

    /// Starts a directory operation, for `purpose`, through its client's session.
    mutating func startDirectoryOperation(_ operation: DirectoryOperation, for purpose: OperatorRequest.Purpose) {
        let cellOperation: CellOperation
        do {
            cellOperation = try operation.cellOperation()
        } catch {
            preconditionFailure("Invalid state: the control plane's records always encode: \(error)")
        }
        guard let request = control.clients[purpose]?.request(cellOperation, cell: directoryCell, epoch: nil) else { return }
        startOperatorRequest(.directory(operation, request), for: purpose)
    }

    /// The nodes the control plane knows to ask: every node that ever joined the fleet.
    var fleetNodeIDs: [NodeID] {
        control.layout.indices.filter { !control.spares.contains($0) }.map { control.layout[$0].id }
    }

    /// Carries out what a request's machine asks next.
    private mutating func carryOut(_ action: RetryAction<NodeID>, ofOperatorRequest number: UInt64) {
        guard var request = control.requests[number] else { return }
        switch action {
        case .send(let target, let timeout):
            request.token += 1
            schedule(.operatorTimer(request: number, token: request.token), after: timeout)
            control.requests[number] = request
            send(request, number: number, to: target)
        case .wait(let pause, _):
            request.token += 1
            schedule(.operatorTimer(request: number, token: request.token), after: max(1, pause))
            control.requests[number] = request
        case .askDirectory:
            // The control plane asks the cells themselves; it has no other directory to ask.
            let next = request.machine.directoryAnswered(members: nil, now: now)
            control.requests[number] = request
            carryOut(next, ofOperatorRequest: number)
        case .keepWaiting:
            break
        case .finish(let outcome):
            control.requests[number] = nil
            controlRequestEnded(request, outcome: outcome)
        }
    }

    /// Sends the request's attempt to `target` across the network.
    private mutating func send(_ request: OperatorRequest, number: UInt64, to target: NodeID) {
        guard let delay = network.clientDelay(using: &random) else { return }
        let index = nodeIndex(target)
        switch request.kind {
        case .directory(_, let clientRequest):
            let waiter = WaiterRoute.operatorRequest(number).waiter
            schedule(.request(nodeIndex: index, request: clientRequest, waiter: waiter), after: delay)
        case .changeMembership(let cell, let change, let epoch):
            let waiter = WaiterRoute.operatorRequest(number).waiter
            let clientRequest = ClientRequest(
                id: RequestID(client: ClientID(1 << 62), sequence: number), cell: cell, operation: .changeMembership(change),
                expectedEpoch: epoch)
            schedule(.request(nodeIndex: index, request: clientRequest, waiter: waiter), after: delay)
        case .transfer(let cell, let to):
            schedule(.transferRequest(nodeIndex: index, cell: cell, to: to, request: number), after: delay)
        }
    }

    /// A request's timer: its attempt timed out, or its pause is over.
    mutating func operatorTimerFired(request number: UInt64, token: UInt64) {
        guard var request = control.requests[number], request.token == token else { return }
        var budget = RetryBudget.unlimited
        guard let action = request.machine.timerFired(now: now, budget: &budget, random: &random) else { return }
        control.requests[number] = request
        carryOut(action, ofOperatorRequest: number)
    }

    /// A node's answer to a request of the control plane's reached it.
    mutating func operatorAnswered(request number: UInt64, by node: NodeID, _ answer: OperatorAnswer) {
        guard var request = control.requests[number] else { return }
        let (outcome, configuration) = answer.attempt
        if let configuration { learn(configuration, of: request.cell) }
        request.machine.membersLearned(control.views[request.cell]?.members ?? [])
        switch outcome {
        case .succeeded, .failed: request.answer = answer
        case .redirect, .staleEpoch, .unavailable, .cellNotFound, .sessionExpired, .transportFailed, .connectionRefused, .timedOut: break
        }
        var budget = RetryBudget.unlimited
        let action = request.machine.attemptEnded(outcome, at: node, now: now, budget: &budget, random: &random)
        if let leader = request.machine.leader { control.views[request.cell]?.leader = leader }
        control.requests[number] = request
        carryOut(action, ofOperatorRequest: number)
    }

    /// A node takes the control plane's leadership transfer: its core's answer goes back.
    mutating func takeTransfer(at index: Int, cell: CellID, to target: NodeID, request number: UInt64) {
        guard let outcome = nodes[index].core?.transferLeadership(of: cell, to: target) else { return }
        carryOutEffects(at: index)
        guard let delay = network.clientDelay(using: &random) else { return }
        schedule(.operatorAnswer(request: number, node: nodes[index].id, answer: .transfer(outcome)), after: delay)
    }

    /// What the control plane learned of a cell's members from an answer.
    private mutating func learn(_ configuration: CellConfiguration, of cell: CellID) {
        let known = control.views[cell]
        guard configuration.epoch >= known?.epoch ?? 0 else { return }
        control.views[cell] = CachedCell(
            members: configuration.members, leader: configuration.epoch > known?.epoch ?? 0 ? nil : known?.leader,
            epoch: configuration.epoch)
    }
}
