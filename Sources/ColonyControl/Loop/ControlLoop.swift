import ColonyClient
import ColonyCore

/// The control loop (`colony control run`): drains draining nodes, re-places the replicas of
/// gone nodes and moves cells toward their targets, one membership change at a time per
/// cell, at most `movesPerSecond` new moves colony-wide, and none while paused.
///
/// Each pass, in order:
/// 1. reads the directory (nodes, cells, settings); if it cannot, makes no move this pass;
/// 2. asks every node that is not gone which replicas it hosts (`ColonyObserver`);
/// 3. refills the throttle and asks `Reconciler` for the plan;
/// 4. carries the plan out: before every new move and every membership change it reads the
///    settings again and stops if paused; a new move's intent is written to the directory
///    before its change is sent, so a loop that crashes resumes it (the cell answers a
///    repeated change as already applied);
/// 5. writes its status (`ControlStatus`) to the directory and waits `passInterval`.
///
/// The loop keeps nothing between passes that a restart would need: the directory and the
/// cells hold it all, so a crashed loop is simply started again.
public struct ControlLoop: Sendable {
    /// The directory read and written.
    public let directory: Directory
    /// How long the loop waits between passes.
    public var passInterval: Duration = .milliseconds(200)
    /// Where the loop says what it did, a line at a time.
    public let log: @Sendable (String) -> Void

    /// A loop over `directory`, saying what it does through `log`.
    public init(directory: Directory, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.log = log
    }

    /// Runs passes until the task is cancelled, or `passes` passes if given.
    public func run(passes: UInt64? = nil) async {
        var state = LoopState(loop: UInt64.random(in: 1...UInt64.max), started: .now, throttle: MoveThrottle(now: 0))
        log("control loop \(state.loop) started")
        while !Task.isCancelled, passes.map({ state.pass < $0 }) ?? true {
            state.pass += 1
            await pass(&state)
            try? await Task.sleep(for: passInterval)
        }
    }

    /// One pass; see the type's steps.
    func pass(_ state: inout LoopState) async {
        let snapshot: DirectorySnapshot
        do {
            snapshot = try await directory.snapshot()
        } catch {
            report(&state, "pass \(state.pass): no moves: \(error)")
            return
        }
        let (observed, unreachable) = await ColonyObserver(client: directory.client).observe(snapshot.nodes)
        state.throttle.refill(now: Self.seconds(since: state.started), movesPerSecond: snapshot.settings.movesPerSecond)
        let plan = Reconciler.plan(snapshot, observed: observed, newMovesMax: state.throttle.available)
        var problems = unreachable.map { "node \($0) did not answer; its replicas were not seen" }
        var underWay = snapshot.cells.filter { $0.move != nil }.map(\.cell.name)
        var paused = snapshot.settings.paused
        for action in plan.actions {
            switch action {
            case .start(let record):
                guard await stillUnpaused(&paused), state.throttle.take() else { continue }
                guard await write(record, &state, "start moving \(record.cell.name): \(describe(record.move))") else { continue }
                state.movesStarted += 1
                underWay.append(record.cell.name)
                if let move = record.move, let epoch = observed[record.cell.name]?.epoch {
                    await change(record.cell.name, move.remove, move.add, epoch, &state)
                }
            case .change(let cell, let remove, let add, let epoch):
                guard await stillUnpaused(&paused) else { continue }
                await change(cell, remove, add, epoch, &state)
            case .waitForMember:
                continue
            case .finish(let record):
                if await write(record, &state, "finished moving \(record.cell.name): members \(Self.names(record.placement.members))") {
                    state.movesFinished += 1
                    underWay.removeAll { $0 == record.cell.name }
                }
            case .reachTarget(let record):
                _ = await write(record, &state, "\(record.cell.name) reached its target: members \(Self.names(record.placement.members))")
            case .abandon(let record):
                _ = await write(record, &state, "gave up the move of \(record.cell.name): its destination is no longer active")
            case .problem(let cell, let message):
                problems.append("\(cell): \(message)")
            }
        }
        let status = ControlStatus(
            pass: state.pass, paused: paused, movesStarted: state.movesStarted, movesFinished: state.movesFinished,
            movesUnderWay: underWay.sorted(), replicasToMove: plan.replicasToMove, problems: problems, loop: state.loop)
        do {
            try await directory.put(status)
        } catch {
            report(&state, "cannot write the status: \(error)")
        }
    }

    /// Reads the settings again; false (and remembers it) when the colony is paused or the
    /// settings cannot be read.
    private func stillUnpaused(_ paused: inout Bool) async -> Bool {
        guard !paused else { return false }
        guard let settings = try? await directory.settings() else { return false }
        paused = settings.paused
        return !paused
    }

    /// Asks the cell to make a change and says what it answered.
    private func change(_ cell: String, _ remove: UInt32, _ add: UInt32, _ epoch: UInt64, _ state: inout LoopState) async {
        let answer: MembershipChangeAnswer
        do {
            answer = try await directory.client.changeMembership(cell, remove: remove, add: add, expectedEpoch: epoch)
        } catch {
            report(&state, "cell \(cell): replacing \(NodeID(remove)) by \(NodeID(add)) failed: \(error)")
            return
        }
        switch answer {
        case .applied(let configuration):
            log("cell \(cell): replaced \(NodeID(remove)) by \(NodeID(add)); epoch \(configuration.epoch), members \(Self.names(configuration.members.map { NodeID($0.node) }))")
        case .alreadyApplied:
            log("cell \(cell): replacing \(NodeID(remove)) by \(NodeID(add)) was applied already")
        case .staleEpoch(_, let message), .refused(_, let message):
            report(&state, "cell \(cell): replacing \(NodeID(remove)) by \(NodeID(add)) must wait: \(message)")
        }
    }

    private func write(_ record: PlacedCell, _ state: inout LoopState, _ message: String) async -> Bool {
        do {
            try await directory.put(record)
            log(message)
            return true
        } catch {
            report(&state, "cannot record \(record.cell.name): \(error)")
            return false
        }
    }

    /// Logs `message` unless it is what the last report said (a problem that lasts is said once).
    private func report(_ state: inout LoopState, _ message: String) {
        guard message != state.lastReport else { return }
        state.lastReport = message
        log(message)
    }

    private func describe(_ move: PendingMove?) -> String {
        move.map { "replace \(NodeID($0.remove)) by \(NodeID($0.add)) (\($0.reason.rawValue))" } ?? "no move"
    }

    /// `n1,n4,n7`.
    static func names(_ members: [NodeID]) -> String {
        members.map(\.description).joined(separator: ",")
    }

    /// Seconds on the monotonic clock since `start`, for the throttle.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// What the loop carries from one pass to the next (only counters and the throttle: nothing
/// a restart needs).
struct LoopState: Sendable {
    let loop: UInt64
    let started: ContinuousClock.Instant
    var throttle: MoveThrottle
    var pass: UInt64 = 0
    var movesStarted = 0
    var movesFinished = 0
    var lastReport = ""
}
