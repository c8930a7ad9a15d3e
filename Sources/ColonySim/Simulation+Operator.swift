import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement

/// The operator at the simulated colony's console. The fault schedule's control actions
/// become the commands an operator types (`colony node drain`, `node gone`, `node activate`,
/// a node joining, `cell move --near/--off/--to`, `control pause`), carried out one at a
/// time by the production `OperatorCommandRun`, as the `colony` command carries them out:
/// read the directory, decide the record, write it. The control loop does the rest. Before
/// any of it, the operator writes the directory's first records, as `colony directory init`
/// and `cell create` do.
extension Simulation {
    /// What the operator is doing.
    enum OperatorPhase {
        /// Writing the directory's first records, a few at a time.
        case bootstrapping(remaining: [DirectoryOperation])
        /// Carrying out a command.
        case running(OperatorCommandRun)
    }

    /// Starts writing the directory's first records: every fleet node, the settings, and the
    /// placement of every cell and of the directory itself.
    mutating func bootstrapDirectory(placements: [Placement]) {
        let nodeRecords = (0..<control.layout.count).filter { !control.spares.contains($0) }.map { control.record(ofNode: $0) }
        var records = nodeRecords.map(DirectoryRecord.node)
        records.append(.settings(ControlSettings(paused: false, movesPerSecond: Self.controlMovesPerSecond)))
        for placement in placements {
            records.append(.cell(PlacedCell(placement: placement, clientAddresses: Reconciler.clientAddresses(of: placement.members, nodes: nodeRecords))))
        }
        control.operatorPhase = .bootstrapping(remaining: DirectoryOperation.writes(of: records))
        continueOperator()
    }

    /// How many moves a second the simulated colony's settings allow: enough that a 10 s run
    /// sees drains finish.
    static var controlMovesPerSecond: Double { 20 }

    /// Queues an operator's command; it runs once the commands before it are done. While a
    /// step is under way (one of the directory's first writes, or a command's), the queue
    /// waits: that step's end continues it. (Continuing from here during the first writes
    /// sent the next of them a second time, and the late end of one was then taken as a
    /// step of the first command.)
    mutating func enqueue(_ command: OperatorCommand) {
        control.operatorQueue.append(command)
        guard case .none = control.operatorPhase else { return }
        continueOperator()
    }

    /// Starts the operator's next command, unless one is under way.
    private mutating func continueOperator() {
        switch control.operatorPhase {
        case .bootstrapping(let remaining)?:
            guard let next = remaining.first else { return bootstrapped() }
            startDirectoryOperation(next, for: .operatorCommand)
        case .running?:
            return
        case nil:
            guard control.isBootstrapped, !control.operatorQueue.isEmpty else { return }
            let run = OperatorCommandRun(control.operatorQueue.removeFirst())
            control.operatorPhase = .running(run)
            startDirectoryOperation(run.start(), for: .operatorCommand)
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
        guard case .directory(let operation, _) = request.kind else { return }
        let answer = directoryAnswer(operation, request, outcome: outcome)
        switch control.operatorPhase {
        case .bootstrapping(let remaining)?:
            // A transaction that failed or went unanswered is written again: the records are
            // the same bytes, so writing them twice does no harm.
            if case .success = answer {
                control.operatorPhase = .bootstrapping(remaining: Array(remaining.dropFirst()))
            }
            continueOperator()
        case .running(var run)?:
            control.operatorPhase = nil
            switch run.answered(answer) {
            case .perform(let next):
                control.operatorPhase = .running(run)
                return startDirectoryOperation(next, for: .operatorCommand)
            case .done:
                done(run.command)
            case .failed:
                // The directory did not answer: the command runs again a little later.
                schedule(.operatorCommand(run.command), after: 200 * Nanoseconds.millisecond)
            case .refused:
                // The command no longer makes sense (the cell moves already, the node is gone).
                break
            }
            continueOperator()
        case nil:
            return
        }
    }

    /// The command's record is written: what follows from it.
    private mutating func done(_ command: OperatorCommand) {
        faultLog.append(FaultLogEntry(time: now, description: "operator: \(command) written"))
        switch command {
        case .setState(let node, let state):
            let index = nodeIndex(NodeID(node))
            control.service[index] = state
            control.emptied.remove(index)
            switch state {
            case .draining: statistics.control.drains += 1
            case .active: statistics.control.returns += 1
            case .gone: break
            }
        case .join(let record):
            let index = nodeIndex(NodeID(record.id))
            control.service[index] = .active
            control.spares.removeAll { $0 == index }
            statistics.control.additions += 1
        case .move(_, .near):
            statistics.control.nearMoves += 1
        case .move(let cell, .off):
            statistics.control.moves += 1
            if let members = control.configurations[CellID(cell)]?.members {
                let back = Nanoseconds.second + random.next() % (2 * Nanoseconds.second)
                schedule(.operatorCommand(.move(cell: cell, .onto(members))), after: back)
            }
        case .move(_, .onto), .setPaused:
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
                    schedule(.operatorCommand(.setState(node: id.rawValue, .active)), after: 200 * Nanoseconds.millisecond + random.next() % Nanoseconds.second)
                }
            }
        }
    }
}
