import ColonyCore
import ColonyNodeCore

extension Simulation {
    /// Adds a client with a fresh process number and session id.
    @discardableResult
    mutating func addClient(recordsHistory: Bool) -> Int {
        let client = SimClient(
            process: takeProcess(), clientID: takeClientID(), recordsHistory: recordsHistory, cache: initialViews)
        clients.append(client)
        clientIndexByID[client.clientID] = clients.count - 1
        return clients.count - 1
    }

    private mutating func takeProcess() -> Int {
        defer { nextProcess += 1 }
        return nextProcess
    }

    private mutating func takeClientID() -> ClientID {
        defer { nextClientID += 1 }
        return ClientID(nextClientID)
    }

    /// A client's timer: start the next operation, or tell the operation's retry machine
    /// that its pause is over or that its attempt got no answer in time.
    mutating func clientTimerFired(_ clientIndex: Int, token: UInt64) {
        guard clients[clientIndex].token == token else { return }
        guard var operation = clients[clientIndex].current else {
            if clients[clientIndex].recordsHistory { startOperation(clientIndex) }
            return
        }
        var budget = RetryBudget.unlimited
        guard let action = operation.retry.timerFired(now: now, budget: &budget, random: &random) else {
            preconditionFailure("Invalid state: a client's timer fired while its operation was \(operation.retry.phase)")
        }
        clients[clientIndex].current = operation
        carryOut(action, clientIndex: clientIndex, answer: nil)
    }

    /// Once the workload's operations have ended and every fault has healed, checks that no
    /// resting replica trusts a gone leader, then reads every key of every cell, each with a
    /// fresh client of its own.
    mutating func startFinalReads() {
        checkQuiescentTrust()
        for cellIndex in cells.indices {
            for keyIndex in 0..<options.keysPerCell {
                let clientIndex = addClient(recordsHistory: true)
                clients[clientIndex].readsFinalState = true
                statistics.finalReads += 1
                begin(workload.read(cellIndex: cellIndex, keyIndex: keyIndex), clientIndex: clientIndex)
            }
        }
    }

    /// Starts the client's next operation, unless the workload is over.
    mutating func startOperation(_ clientIndex: Int) {
        guard now < options.duration else { return }
        let planned = workload.plan()
        begin(planned, clientIndex: clientIndex)
    }

    /// Sends a planned operation's first attempt and records its invoke.
    mutating func begin(_ planned: PlannedOperation, clientIndex: Int) {
        let view = clients[clientIndex].cache[planned.cellIndex]
        let request = clients[clientIndex].makeRequest(
            for: planned, cell: cells[planned.cellIndex], epoch: planned.expectedEpoch ?? view.epoch)
        var retry = RetryMachine(
            policy: options.clientRetryPolicy, isWrite: !planned.operation.isRead, leader: view.leader,
            members: view.members, seeds: nodeIDs)
        // Clients that know no leader spread their first attempts over the members.
        let guess = view.leader == nil ? view.members[Int(random.next() % UInt64(view.members.count))] : nil
        let action = retry.start(preferring: guess, now: now)
        clients[clientIndex].current = ClientOperation(planned: planned, request: request, startedAt: now, retry: retry)
        if let function = planned.function, clients[clientIndex].recordsHistory {
            statistics.operations += 1
            recorder.record(
                time: now, process: clients[clientIndex].process, type: .invoke, function: function,
                cell: cells[planned.cellIndex], key: planned.key, value: planned.invokeValue)
        }
        carryOut(action, clientIndex: clientIndex, answer: nil)
    }

    /// Carries out what the operation's retry machine decided; `answer` is the cell's answer
    /// that decided it, if any.
    private mutating func carryOut(
        _ action: RetryAction<NodeID>, clientIndex: Int, answer: Result<OperationResult, OperationError>?
    ) {
        guard let operation = clients[clientIndex].current else { return }
        clients[clientIndex].cache[operation.planned.cellIndex].leader = operation.retry.leader
        switch action {
        case .send(let target, let timeout):
            send(clientIndex, to: target, timeout: timeout)
        case .wait(let pause, _):
            clients[clientIndex].token += 1
            schedule(.clientTimer(clientIndex: clientIndex, token: clients[clientIndex].token), after: pause)
        case .keepWaiting:
            break
        case .askDirectory:
            preconditionFailure("Invalid state: a simulated client always knows a cell's members")
        case .finish(.succeeded), .finish(.failed):
            guard let answer else { preconditionFailure("Invalid state: \(action) without the cell's answer") }
            complete(clientIndex, result: answer)
        case .finish(.notApplied):
            finish(clientIndex, type: .fail, value: operation.planned.invokeValue)
        case .finish(.outcomeUnknown):
            finish(clientIndex, type: .info, value: operation.planned.invokeValue)
        }
    }

    /// Sends the current request to `target` and arms the attempt's timeout.
    private mutating func send(_ clientIndex: Int, to target: NodeID, timeout: UInt64) {
        guard var operation = clients[clientIndex].current else { return }
        let cachedEpoch = clients[clientIndex].cache[operation.planned.cellIndex].epoch
        operation.request.expectedEpoch = operation.planned.expectedEpoch ?? cachedEpoch
        clients[clientIndex].current = operation
        clients[clientIndex].token += 1
        schedule(.clientTimer(clientIndex: clientIndex, token: clients[clientIndex].token), after: timeout)
        if let delay = network.clientDelay(using: &random) {
            let waiter = WaiterRoute.client(clientIndex).waiter
            schedule(.request(nodeIndex: nodeIndex(target), request: operation.request, waiter: waiter), after: delay)
        }
    }

    mutating func receiveReply(_ reply: ClientReply, from node: NodeID, clientIndex: Int) {
        // Request numbers count per cell, so a late answer from another cell can carry the
        // same id: match the cell too.
        guard var operation = clients[clientIndex].current, operation.request.id == reply.id,
              operation.request.cell == reply.cell
        else { return }
        let cellIndex = operation.planned.cellIndex
        var answer: Result<OperationResult, OperationError>?
        var outcome = AttemptOutcome(reply.outcome) { $0 }
        switch reply.outcome {
        case .completed(let result):
            if !operation.planned.operation.isRead {
                clients[clientIndex].cellsWithSession.insert(cellIndex)
            }
            answer = result
        case .rejected(let error):
            answer = .failure(error)
        case .redirect(let leader, let configuration):
            // Members older than the client's cache are not learned.
            outcome = .redirect(leader: leader, members: configuration.flatMap { learn($0, cellIndex: cellIndex, clientIndex: clientIndex) })
        case .staleEpoch(let configuration):
            outcome = .staleEpoch(members: learn(configuration, cellIndex: cellIndex, clientIndex: clientIndex))
        case .unavailable, .sessionExpired:
            break
        }
        var budget = RetryBudget.unlimited
        let action = operation.retry.attemptEnded(outcome, at: node, now: now, budget: &budget, random: &random)
        clients[clientIndex].current = operation
        carryOut(action, clientIndex: clientIndex, answer: answer)
    }

    /// A client's request reached the address of a node that is down: the client hears its
    /// connection refused, a network delay later (or never, if the network loses that).
    /// Requests of the control plane's go unanswered, as they did.
    mutating func refuseConnection(of waiter: WaiterID, to node: NodeID, request: ClientRequest) {
        guard case .client(let clientIndex) = WaiterRoute(waiter), let delay = network.clientDelay(using: &random) else { return }
        statistics.connectionsRefused += 1
        schedule(.connectionRefused(clientIndex: clientIndex, node: node, request: request), after: delay)
    }

    /// The client's connection to `node` was refused: its operation learns it, unless the
    /// refusal belongs to an earlier operation.
    mutating func receiveRefusal(of request: ClientRequest, by node: NodeID, clientIndex: Int) {
        guard var operation = clients[clientIndex].current, operation.request.id == request.id, operation.request.cell == request.cell
        else { return }
        var budget = RetryBudget.unlimited
        let action = operation.retry.attemptEnded(.connectionRefused, at: node, now: now, budget: &budget, random: &random)
        clients[clientIndex].current = operation
        carryOut(action, clientIndex: clientIndex, answer: nil)
    }

    /// Learns `configuration` into the client's cache if it is not older than what the cache
    /// holds; returns the members learned.
    private mutating func learn(_ configuration: CellConfiguration, cellIndex: Int, clientIndex: Int) -> [NodeID]? {
        guard configuration.epoch >= clients[clientIndex].cache[cellIndex].epoch else { return nil }
        clients[clientIndex].cache[cellIndex].members = configuration.members
        clients[clientIndex].cache[cellIndex].epoch = configuration.epoch
        return configuration.members
    }

    private mutating func complete(_ clientIndex: Int, result: Result<OperationResult, OperationError>) {
        guard let operation = clients[clientIndex].current else { return }
        if operation.planned.function == nil {
            statistics.staleReads += 1
            finish(clientIndex, type: .ok, value: .null)
            return
        }
        let (type, value) = workload.completion(of: operation.planned, result: result)
        finish(clientIndex, type: type, value: value)
    }

    /// Ends the current operation: records how it ended, and schedules the next one.
    mutating func finish(_ clientIndex: Int, type: HistoryEventType, value: HistoryValue) {
        guard let operation = clients[clientIndex].current else { return }
        clients[clientIndex].current = nil
        if let function = operation.planned.function, clients[clientIndex].recordsHistory {
            recorder.record(
                time: now, process: clients[clientIndex].process, type: type, function: function,
                cell: cells[operation.planned.cellIndex], key: operation.planned.key, value: value)
            if clients[clientIndex].readsFinalState {
                countFinalRead(operation.planned, type: type)
            }
            switch type {
            case .ok: statistics.succeeded += 1
            case .fail: statistics.failed += 1
            case .info: statistics.unknown += 1
            case .invoke: preconditionFailure("Invalid state: an operation cannot end in invoke")
            }
            if type != .info {
                completions.append(Completion(time: now, latency: now - operation.startedAt, isWrite: function != .read))
            }
        }
        if type == .info {
            // As in Jepsen: a process with an operation of unknown outcome never issues again.
            clients[clientIndex].process = nextProcess
            nextProcess += 1
            clientIndexByID[clients[clientIndex].clientID] = nil
            clients[clientIndex].clientID = ClientID(nextClientID)
            nextClientID += 1
            clients[clientIndex].sequences = [:]
            clients[clientIndex].cellsWithSession = []
            clientIndexByID[clients[clientIndex].clientID] = clientIndex
        }
        clients[clientIndex].token += 1
        if clients[clientIndex].recordsHistory {
            schedule(.clientTimer(clientIndex: clientIndex, token: clients[clientIndex].token), after: random.next() % Nanoseconds.millisecond)
        }
    }

    /// Counts a final read as answered, or reports it unanswered: after every fault has
    /// healed, a cell that cannot answer one read within a client's deadline is a failure.
    private mutating func countFinalRead(_ planned: PlannedOperation, type: HistoryEventType) {
        guard type != .ok else {
            statistics.finalReadsAnswered += 1
            return
        }
        let key = planned.key.map { " key \($0)" } ?? ""
        statistics.unansweredFinalReads.append(
            "final read of \(cells[planned.cellIndex])\(key) unanswered (\(type) at \(now / Nanoseconds.millisecond) ms)")
    }

    /// At the end of the run, operations still in flight are unknown.
    mutating func recordUnfinishedOperations() {
        for index in clients.indices where clients[index].current != nil {
            if let operation = clients[index].current {
                finish(index, type: .info, value: operation.planned.invokeValue)
            }
        }
    }
}
