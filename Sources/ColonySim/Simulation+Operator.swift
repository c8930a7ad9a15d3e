import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement

/// The operator at the simulated colony's console. The fault schedule's control actions
/// become the commands an operator types (`colony node drain`, `node gone`, `node activate`,
/// a node joining, `cell move --near/--off/--to`, `control pause`), carried out one at a
/// time like the `colony` command does: read the directory, choose with the same pure
/// function (`NodeStateChange.change`, `CellTargeting.target`), write the record. The
/// control loop does the rest. Before any of it, the operator writes the directory's first
/// records, as `colony directory init` and `cell create` do.
extension Simulation {
    /// What the operator is doing.
    enum OperatorPhase {
        /// Writing the directory's first records, each operation a transaction of records.
        case bootstrapping(remaining: [CellOperation])
        /// Reading the directory for `command`.
        case reading(OperatorCommand)
        /// Writing the record `command` decided.
        case writing(OperatorCommand)
    }

    /// How many records one bootstrap transaction writes.
    static var bootstrapRecordsPerTransaction: Int { 32 }

    /// Starts writing the directory's first records: every fleet node, the settings, and the
    /// placement of every cell and of the directory itself.
    mutating func bootstrapDirectory(placements: [Placement]) {
        let nodeRecords = (0..<control.layout.count).filter { !control.spares.contains($0) }.map { control.record(ofNode: $0) }
        var records = nodeRecords.map(DirectoryRecord.node)
        records.append(.settings(ControlSettings(paused: false, movesPerSecond: Self.controlMovesPerSecond)))
        for placement in placements {
            records.append(.cell(PlacedCell(placement: placement, clientAddresses: Reconciler.clientAddresses(of: placement.members, nodes: nodeRecords))))
        }
        var operations: [CellOperation] = []
        var index = 0
        while index < records.count {
            let batch = records[index..<min(records.count, index + Self.bootstrapRecordsPerTransaction)]
            let steps = batch.map { record in
                do {
                    return TransactionStep.put(Key(record.key), try record.encoded())
                } catch {
                    preconditionFailure("Invalid state: the directory's first records always encode: \(error)")
                }
            }
            operations.append(.transaction(Transaction(success: Array(steps))))
            index += Self.bootstrapRecordsPerTransaction
        }
        control.operatorPhase = .bootstrapping(remaining: operations)
        continueOperator()
    }

    /// How many moves a second the simulated colony's settings allow: enough that a 10 s run
    /// sees drains finish.
    static var controlMovesPerSecond: Double { 20 }

    /// Queues an operator's command; it runs once the commands before it are done.
    mutating func enqueue(_ command: OperatorCommand) {
        control.operatorQueue.append(command)
        continueOperator()
    }

    /// Starts the operator's next command, unless one is under way.
    private mutating func continueOperator() {
        switch control.operatorPhase {
        case .bootstrapping(let remaining)?:
            guard let next = remaining.first else { return bootstrapped() }
            let request = control.operatorClient.request(next, cell: directoryCell, epoch: nil)
            startOperatorRequest(.directory(request), for: .operatorCommand)
        case .reading?, .writing?:
            return
        case nil:
            guard control.isBootstrapped, !control.operatorQueue.isEmpty else { return }
            let command = control.operatorQueue.removeFirst()
            control.operatorPhase = .reading(command)
            readDirectory(for: .operatorCommand)
        }
    }

    /// The directory holds the colony: the control loop starts.
    private mutating func bootstrapped() {
        control.operatorPhase = nil
        control.isBootstrapped = true
        faultLog.append(FaultLogEntry(time: now, description: "directory made: the control loop starts"))
        schedule(.controlPass, after: 1)
        continueOperator()
    }

    /// A request of the operator's ended: the next step of the command under way.
    mutating func operatorCommandStepEnded(_ request: OperatorRequest, outcome: RetryOutcome) {
        let result = directoryResult(request, outcome: outcome)
        switch control.operatorPhase {
        case .bootstrapping(let remaining)?:
            // A transaction that failed or went unanswered is written again: the records are
            // the same bytes, so writing them twice does no harm.
            if case .success = result {
                control.operatorPhase = .bootstrapping(remaining: Array(remaining.dropFirst()))
            }
            continueOperator()
        case .reading(let command)?:
            guard case .success(let listing) = result, case .success(let snapshot) = self.snapshot(listing) else {
                return retryLater(command)
            }
            guard let record = decide(command, snapshot) else {
                control.operatorPhase = nil
                return continueOperator()
            }
            control.operatorPhase = .writing(command)
            write(record, for: .operatorCommand)
        case .writing(let command)?:
            control.operatorPhase = nil
            if case .success = result {
                done(command)
            } else {
                retryLater(command)
            }
            continueOperator()
        case nil:
            return
        }
    }

    /// The command failed to read or write the directory: it goes back in the queue, to run
    /// again a little later.
    private mutating func retryLater(_ command: OperatorCommand) {
        control.operatorPhase = nil
        schedule(.operatorCommand(command), after: 200 * Nanoseconds.millisecond)
        continueOperator()
    }

    /// The record `command` writes, chosen as the `colony` command chooses it; nil when there
    /// is nothing to write (the command no longer makes sense, or the choice was refused).
    private func decide(_ command: OperatorCommand, _ snapshot: DirectorySnapshot) -> DirectoryRecord? {
        do {
            switch command {
            case .drain(let index):
                return .node(try NodeStateChange.change(control.layout[index].id.rawValue, to: .draining, in: snapshot.nodes).after)
            case .gone(let index):
                return .node(try NodeStateChange.change(control.layout[index].id.rawValue, to: .gone, in: snapshot.nodes).after)
            case .activate(let index):
                return .node(try NodeStateChange.change(control.layout[index].id.rawValue, to: .active, in: snapshot.nodes).after)
            case .join(let index):
                return .node(control.record(ofNode: index))
            case .moveNear(let cell, let zone):
                return .cell(try CellTargeting.target(.near(zone: zone), of: cell.name, in: snapshot))
            case .moveOff(let cell, let member):
                return .cell(try CellTargeting.target(.off(member), of: cell.name, in: snapshot))
            case .moveOnto(let cell, let members):
                return .cell(try CellTargeting.target(.onto(members), of: cell.name, in: snapshot))
            case .pause:
                var settings = snapshot.settings
                settings.paused = true
                return .settings(settings)
            }
        } catch {
            return nil
        }
    }

    /// The command's record is written: what follows from it.
    private mutating func done(_ command: OperatorCommand) {
        faultLog.append(FaultLogEntry(time: now, description: "operator: \(command) written"))
        switch command {
        case .drain(let index):
            control.service[index] = .draining
            control.emptied.remove(index)
            statistics.control.drains += 1
        case .gone(let index):
            control.service[index] = .gone
            control.emptied.remove(index)
        case .activate(let index):
            control.service[index] = .active
            control.emptied.remove(index)
            statistics.control.returns += 1
        case .join(let index):
            control.service[index] = .active
            control.spares.removeAll { $0 == index }
            statistics.control.additions += 1
        case .moveNear:
            statistics.control.nearMoves += 1
        case .moveOff(let cell, _):
            statistics.control.moves += 1
            if let members = control.configurations[cell]?.members {
                let back = now + Nanoseconds.second + random.next() % (2 * Nanoseconds.second)
                schedule(.operatorCommand(.moveOnto(cell, members)), after: back - now)
            }
        case .moveOnto, .pause:
            break
        }
    }

    /// Drained and gone nodes that no cell has as a member any more: a drained one may
    /// return to service a little later.
    mutating func reportEmptiedNodes() {
        for (index, state) in control.service.sorted(by: { $0.key < $1.key }) where state != .active && !control.emptied.contains(index) {
            let id = nodes[index].id
            guard !control.configurations.values.contains(where: { $0.contains(id) }) else { continue }
            control.emptied.insert(index)
            if state == .gone {
                statistics.control.removalsCompleted += 1
                faultLog.append(FaultLogEntry(time: now, description: "every replica of gone \(id) re-placed"))
            } else {
                statistics.control.drainsCompleted += 1
                faultLog.append(FaultLogEntry(time: now, description: "\(id) drained: no cell has it as a member"))
                if random.next() % 2 == 0 {
                    schedule(.operatorCommand(.activate(index)), after: 200 * Nanoseconds.millisecond + random.next() % Nanoseconds.second)
                }
            }
        }
    }
}
