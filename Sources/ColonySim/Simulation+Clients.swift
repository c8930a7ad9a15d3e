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

    /// A client's timer: start the next operation, send a retry after its pause, or give
    /// up on an attempt that got no answer and try another member.
    mutating func clientTimerFired(_ clientIndex: Int, token: UInt64) {
        guard clients[clientIndex].token == token else { return }
        guard let operation = clients[clientIndex].current else {
            if clients[clientIndex].recordsHistory { startOperation(clientIndex) }
            return
        }
        if now - operation.startedAt >= options.operationDeadline {
            finish(clientIndex, type: .info, value: operation.planned.invokeValue)
            return
        }
        if operation.retryPending {
            attempt(clientIndex, target: operation.target)
            return
        }
        let cellIndex = operation.planned.cellIndex
        clients[clientIndex].cache[cellIndex].leader = nil
        attempt(clientIndex, target: otherMember(than: operation.target, cellIndex: cellIndex, clientIndex: clientIndex))
    }

    private mutating func otherMember(than node: NodeID, cellIndex: Int, clientIndex: Int) -> NodeID {
        let members = clients[clientIndex].cache[cellIndex].members
        let others = members.filter { $0 != node }
        let pool = others.isEmpty ? members : others
        return pool[Int(random.next() % UInt64(pool.count))]
    }

    /// Once the workload's operations have ended and every fault has healed, reads every key
    /// of every cell, each with a fresh client of its own.
    mutating func startFinalReads() {
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
        let target = view.leader ?? view.members[Int(random.next() % UInt64(view.members.count))]
        clients[clientIndex].current = ClientOperation(planned: planned, request: request, startedAt: now, target: target)
        if let function = planned.function, clients[clientIndex].recordsHistory {
            statistics.operations += 1
            recorder.record(
                time: now, process: clients[clientIndex].process, type: .invoke, function: function,
                cell: cells[planned.cellIndex], key: planned.key, value: planned.invokeValue)
        }
        attempt(clientIndex, target: target)
    }

    /// Sends the current request to `target` and arms the attempt timeout.
    mutating func attempt(_ clientIndex: Int, target: NodeID) {
        guard var operation = clients[clientIndex].current else { return }
        operation.target = target
        operation.attempts += 1
        operation.retryPending = false
        let cachedEpoch = clients[clientIndex].cache[operation.planned.cellIndex].epoch
        operation.request.expectedEpoch = operation.planned.expectedEpoch ?? cachedEpoch
        clients[clientIndex].current = operation
        clients[clientIndex].token += 1
        let token = clients[clientIndex].token
        schedule(.clientTimer(clientIndex: clientIndex, token: token), after: options.attemptTimeout)
        if let delay = network.clientDelay(using: &random) {
            lastWaiter += 1
            let waiter = WaiterID(lastWaiter)
            waiterRoutes[waiter] = .client(clientIndex: clientIndex, attempt: token)
            schedule(.request(nodeIndex: nodeIndex(target), request: operation.request, waiter: waiter), after: delay)
        }
    }

    /// Retries the current operation after a short random pause (full jitter under a cap
    /// that grows with the attempts), at `target` or at a random member.
    private mutating func retry(_ clientIndex: Int, target: NodeID?) {
        guard let operation = clients[clientIndex].current else { return }
        let cellIndex = operation.planned.cellIndex
        let members = clients[clientIndex].cache[cellIndex].members
        let next = target ?? members[Int(random.next() % UInt64(members.count))]
        let backoffCap = min(UInt64(operation.attempts) * 5 * Nanoseconds.millisecond, 50 * Nanoseconds.millisecond)
        clients[clientIndex].current?.target = next
        clients[clientIndex].current?.retryPending = true
        clients[clientIndex].token += 1
        schedule(.clientTimer(clientIndex: clientIndex, token: clients[clientIndex].token), after: 1 + random.next() % backoffCap)
    }

    mutating func receiveReply(_ reply: ClientReply, from node: NodeID, clientIndex: Int, attempt: UInt64) {
        // An answer to an attempt the client has given up on (it timed out, or a retry is
        // under way) is dropped, as a real client drops the call it abandoned.
        guard let operation = clients[clientIndex].current, clients[clientIndex].token == attempt,
              operation.request.id == reply.id, operation.request.cell == reply.cell
        else { return }
        let cellIndex = operation.planned.cellIndex
        switch reply.outcome {
        case .completed(let result):
            if !operation.planned.operation.isRead {
                clients[clientIndex].cellsWithSession.insert(cellIndex)
            }
            clients[clientIndex].cache[cellIndex].leader = node
            if case .success(.membershipChanged(let configuration)) = result {
                learn(configuration, cellIndex: cellIndex, clientIndex: clientIndex)
            }
            complete(clientIndex, result: result)
        case .rejected(let error):
            complete(clientIndex, result: .failure(error))
        case .redirect(let leader, let configuration):
            if let configuration { learn(configuration, cellIndex: cellIndex, clientIndex: clientIndex) }
            clients[clientIndex].cache[cellIndex].leader = leader
            retry(clientIndex, target: leader)
        case .staleEpoch(let configuration):
            learn(configuration, cellIndex: cellIndex, clientIndex: clientIndex)
            retry(clientIndex, target: nil)
        case .unavailable:
            retry(clientIndex, target: nil)
        case .sessionExpired:
            finish(clientIndex, type: .info, value: operation.planned.invokeValue)
        }
    }

    private mutating func learn(_ configuration: CellConfiguration, cellIndex: Int, clientIndex: Int) {
        guard configuration.epoch >= clients[clientIndex].cache[cellIndex].epoch else { return }
        if configuration.epoch > clients[clientIndex].cache[cellIndex].epoch {
            clients[clientIndex].cache[cellIndex].leader = nil
        }
        clients[clientIndex].cache[cellIndex].members = configuration.members
        clients[clientIndex].cache[cellIndex].epoch = configuration.epoch
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
            if clients[clientIndex].readsFinalState, type == .ok {
                statistics.finalReadsAnswered += 1
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

    /// At the end of the run, operations still in flight are unknown.
    mutating func recordUnfinishedOperations() {
        for index in clients.indices where clients[index].current != nil {
            if let operation = clients[index].current {
                finish(index, type: .info, value: operation.planned.invokeValue)
            }
        }
    }
}
