import ColonyClient
import ColonyCore

/// The control loop (`colony control run`): drains draining nodes, re-places the replicas of
/// gone nodes and moves cells toward their targets, one membership change at a time per
/// cell, at most `movesPerSecond` new moves colony-wide, and none while paused. It also
/// moves each settled cell's lead to its placement's preferred leader, at most
/// `transfersPerSecond` colony-wide and once every `transferRetryInterval` per cell.
///
/// Each pass, in order:
/// 1. reads the directory (nodes, cells, settings); if it cannot, makes no move this pass;
/// 2. asks every node that is not gone which replicas it hosts (`ColonyObserver`);
/// 3. refills the throttles and asks `Reconciler` for the plan;
/// 4. carries the plan out: before every new move, membership change and leadership
///    transfer it reads the settings again and stops if paused; a new move's intent is
///    written to the directory before its change is sent, so a loop that crashes resumes it
///    (the cell answers a repeated change as already applied);
/// 5. writes its status (`ControlStatus`) to the directory when it changed, or every
///    `statusRefreshInterval` to show the loop runs, and waits `passInterval`.
///
/// The loop keeps nothing between passes that a restart would need: the directory and the
/// cells hold it all, so a crashed loop is simply started again.
public struct ControlLoop: Sendable {
    /// The directory read and written.
    public let directory: Directory
    /// How long the loop waits between passes.
    public var passInterval: Duration = .milliseconds(200)
    /// How many leadership transfers the loop asks for per second, colony-wide.
    public var transfersPerSecond = 2.0
    /// How long the loop waits before asking the same cell for a transfer again (the last
    /// one may have failed: the target did not win, or the cell elected another leader).
    public var transferRetryInterval = 5.0
    /// The longest the loop goes without writing its status, although nothing changed.
    public var statusRefreshInterval = 2.0
    /// Where the loop says what it did, a line at a time.
    public let log: @Sendable (String) -> Void

    /// A loop over `directory`, saying what it does through `log`.
    public init(directory: Directory, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.log = log
    }

    /// Runs passes until the task is cancelled, or `passes` passes if given.
    public func run(passes: UInt64? = nil) async {
        var state = LoopState(
            loop: UInt64.random(in: 1...UInt64.max), started: .now, throttle: MoveThrottle(now: 0),
            transfers: MoveThrottle(now: 0, burst: max(1, transfersPerSecond)))
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
            report(&state, "no moves: \(error)", pass: state.pass)
            return
        }
        let (observed, unreachable) = await ColonyObserver(client: directory.client).observe(snapshot.nodes)
        let now = Self.seconds(since: state.started)
        state.throttle.refill(now: now, movesPerSecond: snapshot.settings.movesPerSecond)
        state.transfers.refill(now: now, movesPerSecond: transfersPerSecond)
        state.transferAskedAt = state.transferAskedAt.filter { now - $0.value < transferRetryInterval }
        let plan = Reconciler.plan(
            snapshot, observed: observed, newMovesMax: state.throttle.available,
            transfersMax: state.transfers.available, transfersHeld: Set(state.transferAskedAt.keys))
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
                await change(cell.name, remove.rawValue, add.rawValue, epoch, &state)
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
            case .transferLeadership(let cell, let from, let to):
                guard await stillUnpaused(&paused), state.transfers.take() else { continue }
                state.transferAskedAt[cell] = now
                await transfer(cell.name, from: from.rawValue, to: to.rawValue, &state)
            case .problem(let cell, let message):
                problems.append("\(cell?.name ?? "*"): \(message)")
            }
        }
        let status = ControlStatus(
            pass: state.pass, paused: paused, movesStarted: state.movesStarted, movesFinished: state.movesFinished,
            movesUnderWay: underWay.sorted(), replicasToMove: plan.replicasToMove, problems: problems, loop: state.loop)
        await writeIfDue(status, now: now, &state)
    }

    /// Writes `status` when it says something the last one written did not (the pass number
    /// aside), or when `statusRefreshInterval` passed since the last write.
    private func writeIfDue(_ status: ControlStatus, now: Double, _ state: inout LoopState) async {
        var unnumbered = status
        unnumbered.pass = 0
        let due = state.statusWritten.map { unnumbered != $0.status || now - $0.at >= statusRefreshInterval } ?? true
        guard due else { return }
        do {
            try await directory.put(.status(status))
            state.statusWritten = (unnumbered, now)
        } catch {
            report(&state, "cannot write the status: \(error)")
        }
    }

    /// Asks `cell`'s leader to hand its lead to `to` and says what it answered.
    private func transfer(_ cell: String, from: UInt32, to: UInt32, _ state: inout LoopState) async {
        let answer: LeadershipTransferAnswer
        do {
            answer = try await directory.client.transferLeadership(cell, to: to)
        } catch {
            report(&state, "cell \(cell): moving its lead to \(NodeID(to)) failed: \(error)")
            return
        }
        switch answer {
        case .asked:
            log("cell \(cell): asked \(NodeID(to)) to take the lead from \(NodeID(from)), as its placement prefers")
        case .alreadyLeader:
            log("cell \(cell): \(NodeID(to)) leads already")
        case .refused(_, let message):
            report(&state, "cell \(cell): moving its lead to \(NodeID(to)) must wait: \(message)")
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

    /// Logs `message` unless it is what the last report said (a problem that lasts is said
    /// once); `pass`, when given, prefixes the line but is not compared.
    private func report(_ state: inout LoopState, _ message: String, pass: UInt64? = nil) {
        guard message != state.lastReport else { return }
        state.lastReport = message
        log(pass.map { "pass \($0): \(message)" } ?? message)
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

/// What the loop carries from one pass to the next (only counters, throttles and what it
/// wrote or asked lately: nothing a restart needs).
struct LoopState: Sendable {
    let loop: UInt64
    let started: ContinuousClock.Instant
    var throttle: MoveThrottle
    /// The leadership transfers' own bucket, apart from the moves'.
    var transfers: MoveThrottle
    /// When (seconds since `started`) each cell was last asked for a transfer, for cells
    /// asked within `transferRetryInterval`; older entries are dropped every pass.
    var transferAskedAt: [CellID: Double] = [:]
    /// The status last written, its pass number zeroed, and when.
    var statusWritten: (status: ControlStatus, at: Double)?
    var pass: UInt64 = 0
    var movesStarted = 0
    var movesFinished = 0
    var lastReport = ""
}
