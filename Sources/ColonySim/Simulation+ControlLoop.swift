import ColonyClient
@_spi(Testing) import ColonyControl
import ColonyCore
import ColonyNodeCore

/// The control loop's shell in the simulator. Each pass, `ControlLoopCore` asks for one step
/// at a time and the simulator carries it out on the simulated colony:
/// - read the directory: one linearizable listing of `_directory` through the loop's client;
/// - list the cells: each node not gone answers from its node core what its replicas say of
///   themselves (`ReplicaSummary`), after a network delay; a node down, paused, or whose
///   answer is lost is unreachable;
/// - read the settings, write a record: a get or a put on `_directory`;
/// - change a cell's members, transfer its lead: a request to the cell's nodes, answered by
///   their cores, retried as the control plane's client would (`OperatorRequest`);
/// - end the pass: the next one starts after `controlPassInterval`.
/// Every membership change the loop asks for is noted by the majority checker, with the
/// members live at that moment or ready in the listing the pass decided it from, and judged
/// when a cell applies it.
extension Simulation {
    /// How often the loop makes a pass: as a real loop's default (`ControlLoop.passInterval`).
    var controlPassInterval: UInt64 { 200 * Nanoseconds.millisecond }

    /// The control loop's configuration in the simulator: at most `controlChangesInFlightMax`
    /// moves under way, and the defects a test switched on.
    static func controlConfiguration(_ options: SimulationOptions) -> ControlLoopCore.Configuration {
        var configuration = ControlLoopCore.Configuration(movesUnderWayMax: options.controlChangesInFlightMax)
        configuration.defects = options.controlDefects
        return configuration
    }

    /// Starts the loop's next pass.
    mutating func startControlPass() {
        guard control.awaiting == nil else { return }
        follow(control.loop.startPass(now: Double(now) / 1e9))
    }

    /// Carries out the step the loop asks for, after logging what it said.
    private mutating func follow(_ output: ControlLoopOutput) {
        for line in output.lines {
            faultLog.append(FaultLogEntry(time: now, description: "control: \(line)"))
        }
        control.awaiting = output.step
        if let operation = output.step.directoryOperation {
            if case .write(.cell(let placed)) = output.step, let move = placed.move {
                control.moveReasons[placed.cell] = move.reason
            }
            return startDirectoryOperation(operation, for: .loop)
        }
        switch output.step {
        case .listCells(let records):
            listCells(records.map { NodeID($0.id) })
        case .changeMembership(let cell, let remove, let add, let epoch):
            let change = MembershipChange(remove: remove, add: add)
            if let configuration = control.configurations[cell] {
                let live = liveNodes(configuration.members, of: cell).union(listedReady(configuration.members, of: cell))
                majority.requested(change, cell: cell, live: live)
                control.changesAwaited.insert(cell)
            }
            startOperatorRequest(.changeMembership(cell, change, expectedEpoch: epoch), for: .loop)
        case .transferLeadership(let cell, let to):
            startOperatorRequest(.transfer(cell, to: to), for: .loop)
        case .endPass:
            control.awaiting = nil
            if now < options.duration + options.operationDeadline {
                schedule(.controlPass, after: controlPassInterval)
            }
        case .readDirectory, .readSettings, .write:
            preconditionFailure("Invalid state: \(output.step) is a directory operation, started above")
        }
    }

    /// Asks `nodes` for their replicas, all at once; the answers arrive together.
    private mutating func listCells(_ asked: [NodeID]) {
        var summaries: [NodeID: [ReplicaSummary]] = [:]
        var unreachable: [NodeID] = []
        var slowest: UInt64 = 0
        for node in asked {
            let index = nodeIndex(node)
            guard nodes.indices.contains(index), let host = nodes[index].host, nodes[index].pausedUntil == nil,
                  let there = network.clientDelay(using: &random), let back = network.clientDelay(using: &random)
            else {
                unreachable.append(node)
                continue
            }
            summaries[node] = host.summaries
            slowest = max(slowest, there + back)
        }
        control.listing = summaries
        schedule(.cellsListed(summaries: summaries, unreachable: unreachable), after: max(slowest, 1))
    }

    /// The nodes among `members` whose replica of `cell` the loop's latest listing showed
    /// ready: a member that votes, as the loop's `ObservedCell.isReadyMember` judges it.
    private func listedReady(_ members: [NodeID], of cell: CellID) -> Set<NodeID> {
        Set(members.filter { node in
            control.listing[node]?.contains { $0.cell == cell && $0.isMember && !$0.isDamaged } ?? false
        })
    }

    /// The nodes' lists of replicas arrived.
    mutating func cellsListed(_ summaries: [NodeID: [ReplicaSummary]], unreachable: [NodeID]) {
        guard case .listCells? = control.awaiting else { return }
        follow(control.loop.handle(.cellsListed(summaries: summaries, unreachable: unreachable)))
    }

    /// A request of the loop's ended: its answer to the step it carried out.
    mutating func loopRequestEnded(_ request: OperatorRequest, outcome: RetryOutcome) {
        guard let step = control.awaiting else { return }
        let event: ControlLoopEvent
        switch request.kind {
        case .directory(let operation, _):
            event = step.event(answering: directoryAnswer(operation, request, outcome: outcome))
        case .changeMembership:
            event = .membershipChanged(membershipResult(request, outcome: outcome))
        case .transfer:
            event = .leadershipTransferred(transferResult(request, outcome: outcome))
        }
        follow(control.loop.handle(event))
    }

    /// What a directory operation came to, as the control plane's `Directory` reports it.
    mutating func directoryAnswer(
        _ operation: DirectoryOperation, _ request: OperatorRequest, outcome: RetryOutcome
    ) -> Result<DirectoryReadout, DirectoryError> {
        switch (outcome, request.answer) {
        case (.succeeded, .reply(let reply)?):
            if case .completed(.success(let result)) = reply.outcome { return operation.readout(of: result, reader: &control.reader) }
            return .failure(.unreachable("the directory answered \(reply.outcome)"))
        case (.failed, .reply(let reply)?):
            return .failure(.refused("the directory refused: \(reply.outcome)"))
        case (.succeeded, _), (.failed, _), (.notApplied, _), (.outcomeUnknown, _):
            return .failure(.unreachable("no answer from the directory (\(outcome))"))
        }
    }

    /// What a membership change came to, as the loop hears it; counts the leaders' refusals.
    private mutating func membershipResult(_ request: OperatorRequest, outcome: RetryOutcome) -> MembershipChangeResult {
        switch request.answer {
        case .membershipChange(.applied(let configuration))?:
            statistics.membershipChanges += 1
            switch control.moveReasons[request.cell] {
            case .drain?: statistics.control.drainChanges += 1
            case .gone?: statistics.control.removalChanges += 1
            case .target?: statistics.control.targetChanges += 1
            case .rebalance?: statistics.control.rebalanceChanges += 1
            case nil: break
            }
            return .applied(epoch: configuration.epoch, members: configuration.members)
        case .membershipChange(.alreadyApplied)?:
            return .alreadyApplied
        case .membershipChange(.refused(let refusal))?:
            switch refusal {
            case .wouldLoseMajority: statistics.control.refusalsWouldLoseMajority += 1
            case .changeInFlight: statistics.control.refusalsChangeInFlight += 1
            case .staleEpoch: statistics.control.refusalsStaleEpoch += 1
            case .noState, .notLeader, .invalid: break
            }
            return .refused("\(refusal)")
        case .membershipChange(.deleted)?:
            return .failed("cell \(request.cell.name) was deleted")
        case .membershipChange?, .reply?, .transfer?, nil:
            statistics.control.changesAbandoned += 1
            return .refused("no answer from cell \(request.cell.name) (\(outcome)); retry the same change")
        }
    }

    /// What a leadership transfer came to, as the loop hears it.
    private func transferResult(_ request: OperatorRequest, outcome: RetryOutcome) -> LeadershipTransferResult {
        switch request.answer {
        case .transfer(.asked)?: return .asked
        case .transfer(.refused(.targetLeadsAlready))?: return .alreadyLeader
        case .transfer(.refused(let refusal))?: return .refused("\(refusal)")
        case .transfer(.deleted)?: return .failed("cell \(request.cell.name) was deleted")
        case .transfer?, .reply?, .membershipChange?, nil: return .failed("no answer from cell \(request.cell.name) (\(outcome))")
        }
    }

    /// A control-plane request ended: its result goes where it was asked for.
    mutating func controlRequestEnded(_ request: OperatorRequest, outcome: RetryOutcome) {
        if case .directory(_, let clientRequest) = request.kind {
            noteSession(of: clientRequest, purpose: request.purpose, outcome: outcome)
        }
        switch request.purpose {
        case .loop: loopRequestEnded(request, outcome: outcome)
        case .operatorCommand: operatorCommandStepEnded(request, outcome: outcome)
        }
    }

    /// The directory answered a client's request: its session there exists; or it forgot it.
    private mutating func noteSession(of request: ClientRequest, purpose: OperatorRequest.Purpose, outcome: RetryOutcome) {
        guard control.clients[purpose]?.clientID == request.id.client else { return }
        switch outcome {
        case .succeeded, .failed: if !request.operation.isRead { control.clients[purpose]?.hasSession = true }
        case .notApplied(.sessionExpired), .outcomeUnknown(.sessionExpired): control.clients[purpose]?.renewSession()
        case .notApplied, .outcomeUnknown: break
        }
    }

    /// Whether `node` is a live member of `cell` as far as its own replica knows: up, not
    /// gone, and voting (it holds the cell's state and is not waiting for renewal).
    func isLive(_ node: NodeID, of cell: CellID) -> Bool {
        let index = nodeIndex(node)
        guard nodes.indices.contains(index), !nodes[index].isGone, let host = nodes[index].host else { return false }
        return host.replica(cell)?.canVote ?? false
    }

    /// The nodes among `members` that are live for `cell`.
    func liveNodes(_ members: [NodeID], of cell: CellID) -> Set<NodeID> {
        Set(members.filter { isLive($0, of: cell) })
    }

    /// A replica applied or installed `configuration` of `cell`: the first report of a new
    /// epoch is judged by the majority checker.
    mutating func observeConfiguration(_ configuration: CellConfiguration, of cell: CellID) {
        guard let previous = control.configurations[cell], configuration.epoch > previous.epoch else { return }
        control.configurations[cell] = configuration
        // A new epoch ends every change decided at the old one: the cell refuses them now.
        control.changesAwaited.remove(cell)
        guard configuration.members != previous.members else { return }
        let live = liveNodes(Array(Set(previous.members + configuration.members)).sorted(), of: cell)
        majority.applied(previous: previous, next: configuration, cell: cell, live: live, time: now)
        reportEmptiedNodes()
    }
}

extension Simulation {
    /// The members of cell `cellIndex`, as its newest applied configuration has them.
    public func members(ofCell cellIndex: Int) -> [NodeID] {
        control.configurations[cells[cellIndex]]?.members ?? []
    }
}
