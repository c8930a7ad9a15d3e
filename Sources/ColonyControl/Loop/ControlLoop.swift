import ColonyClient
import ColonyCore

/// The control loop (`colony control run`): drains draining nodes, re-places the replicas of
/// gone nodes, moves cells toward their targets and evens out replicas over the active nodes,
/// one membership change at a time per cell, at most `movesPerSecond` new moves and
/// `movesUnderWayMax` moves under way colony-wide, and none while paused. It also moves each
/// settled cell's lead to its placement's preferred leader, at most `transfersPerSecond`
/// colony-wide and once every `transferRetrySeconds` per cell.
///
/// This is the shell: every decision is `ControlLoopCore`'s (its documentation gives the
/// pass's steps). The shell carries out each step the core asks for with the directory and
/// the client, hands the answer back, logs what the core says, and waits `passInterval`
/// between passes. Time is the monotonic clock's, in seconds since the loop started.
public struct ControlLoop: Sendable {
    /// The directory read and written.
    public let directory: Directory
    /// How long the loop waits between passes.
    public var passInterval: Duration = .milliseconds(200)
    /// The loop's rates and intervals.
    public var configuration = ControlLoopCore.Configuration()
    /// Where the loop says what it did, a line at a time.
    public let log: @Sendable (String) -> Void

    /// A loop over `directory`, saying what it does through `log`.
    public init(directory: Directory, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.log = log
    }

    /// Runs passes until the task is cancelled, or `passes` passes if given.
    public func run(passes: UInt64? = nil) async {
        let started = ContinuousClock.now
        var core = ControlLoopCore(loop: UInt64.random(in: 1...UInt64.max), now: 0, configuration: configuration)
        var reader = DirectoryReader()
        log("control loop \(core.loop) started")
        while !Task.isCancelled, passes.map({ core.pass < $0 }) ?? true {
            var output = core.startPass(now: Self.seconds(since: started))
            while true {
                output.lines.forEach(log)
                guard let event = await carryOut(output.step, reader: &reader) else { break }
                output = core.handle(event)
            }
            try? await Task.sleep(for: passInterval)
        }
    }

    /// Carries out `step`; its answer, or nil at the pass's end.
    func carryOut(_ step: ControlLoopStep, reader: inout DirectoryReader) async -> ControlLoopEvent? {
        if let operation = step.directoryOperation {
            return step.event(answering: await directory.perform(operation, reader: &reader))
        }
        switch step {
        case .listCells(let nodes):
            let (summaries, unreachable) = await ColonyObserver(client: directory.client).listings(nodes)
            return .cellsListed(summaries: summaries, unreachable: unreachable)
        case .changeMembership(let cell, let remove, let add, let epoch):
            return .membershipChanged(await change(cell, remove: remove, add: add, expectedEpoch: epoch))
        case .transferLeadership(let cell, let to):
            return .leadershipTransferred(await transfer(cell, to: to))
        case .endPass:
            return nil
        case .readDirectory, .readSettings, .write:
            preconditionFailure("Invalid state: \(step) is a directory operation, carried out above")
        }
    }

    /// Asks `cell` to replace `remove` by `add`; its answer, without the protocol's types.
    private func change(_ cell: CellID, remove: NodeID, add: NodeID, expectedEpoch: Epoch) async -> MembershipChangeResult {
        let answer: MembershipChangeAnswer
        do {
            answer = try await directory.client.changeMembership(
                cell.name, remove: remove.rawValue, add: add.rawValue, expectedEpoch: expectedEpoch)
        } catch {
            return .failed("\(error)")
        }
        switch answer {
        case .applied(let configuration):
            return .applied(epoch: configuration.epoch, members: configuration.members.map { NodeID($0.node) })
        case .alreadyApplied:
            return .alreadyApplied
        case .staleEpoch(_, let message), .refused(_, let message):
            return .refused(message)
        }
    }

    /// Asks `cell`'s leader to hand its lead to `to`; its answer, without the protocol's types.
    private func transfer(_ cell: CellID, to: NodeID) async -> LeadershipTransferResult {
        let answer: LeadershipTransferAnswer
        do {
            answer = try await directory.client.transferLeadership(cell.name, to: to.rawValue)
        } catch {
            return .failed("\(error)")
        }
        switch answer {
        case .asked:
            return .asked
        case .alreadyLeader:
            return .alreadyLeader
        case .refused(_, let message):
            return .refused(message)
        }
    }

    /// Seconds on the monotonic clock since `start`, for the core.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
