import ColonyCore

/// The control loop's decisions, apart from any IO: a pure value the loop's shell feeds with
/// what the directory and the nodes answered (`ControlLoopEvent`), and that says what to ask
/// next (`ControlLoopStep`). `ControlLoop` is the shell over a real colony; the simulator
/// drives the same core against its simulated directory and nodes, so both run the same
/// decisions. It never reads a clock: each pass starts at a time the shell passes in, in
/// seconds since an origin of the shell's choosing.
///
/// Each pass, in order:
/// 1. reads the directory (nodes, cells, settings) in one listing; if it cannot, makes no
///    move and writes no status this pass;
/// 2. asks every node that is not gone which replicas it hosts, and gathers the answers into
///    cells (`ObservedCell.gather`); a node that does not answer is a problem of the pass;
/// 3. refills the throttles at the pass's time and asks `Reconciler` for the plan: at most
///    as many new moves as the move throttle holds tokens and `movesUnderWayMax` leaves room
///    for, as many transfers as the transfer throttle holds, none for a cell asked within
///    `transferRetrySeconds`;
/// 4. carries the plan out, one step at a time: before every new move, membership change and
///    leadership transfer it reads the settings again, and once it reads paused it starts,
///    sends and asks nothing more this pass; a new move's intent is written to the directory
///    before its change is sent, so a loop that crashes resumes it (the cell answers a
///    repeated change as already applied), and a move whose intent could not be written
///    sends no change;
/// 5. writes its status (`ControlStatus`) when it says something the last one written did
///    not (the pass number aside), or every `statusRefreshSeconds` to show the loop runs.
///
/// It keeps between passes only counters, throttles and what it wrote or asked lately:
/// nothing a restart needs, since the directory and the cells hold it all. A problem that
/// lasts is logged once: a line equal to the last problem reported is not repeated.
///
/// Its phases, and their legal transitions: idle → reading the directory (`startPass`) →
/// idle (the read failed) or listing cells → carrying out the plan, one awaited answer at a
/// time → writing the status → idle; carrying out ends in idle at once when the status is
/// not due.
public struct ControlLoopCore: Sendable {
    /// The loop's rates and intervals.
    public struct Configuration: Hashable, Sendable {
        /// The most moves under way at once, colony-wide: a new move starts only while fewer
        /// are, however many tokens the throttle holds.
        public var movesUnderWayMax: Int
        /// How many leadership transfers the loop asks for per second, colony-wide.
        public var transfersPerSecond: Double
        /// How long the loop waits before asking the same cell for a transfer again (the last
        /// one may have failed: the target did not win, or the cell elected another leader).
        public var transferRetrySeconds: Double
        /// The longest the loop goes without writing its status, although nothing changed.
        public var statusRefreshSeconds: Double
        /// Deliberate mistakes, for tests that show the simulator's checks catch them.
        @_spi(Testing) public var defects: Set<ControlDefect> = []

        /// Makes a configuration; the defaults keep at most 16 moves under way, ask 2
        /// transfers a second, once every 5 s per cell, and write the status at least every 2 s.
        public init(
            movesUnderWayMax: Int = 16, transfersPerSecond: Double = 2, transferRetrySeconds: Double = 5,
            statusRefreshSeconds: Double = 2
        ) {
            self.movesUnderWayMax = movesUnderWayMax
            self.transfersPerSecond = transfersPerSecond
            self.transferRetrySeconds = transferRetrySeconds
            self.statusRefreshSeconds = statusRefreshSeconds
        }
    }

    /// The loop's rates and intervals.
    public let configuration: Configuration
    /// The number the shell drew when the loop started, so a restarted loop is told from the old one.
    public let loop: UInt64
    /// Passes started.
    public private(set) var pass: UInt64 = 0
    /// Moves whose intent was written.
    public internal(set) var movesStarted = 0
    /// Moves seen through and recorded.
    public internal(set) var movesFinished = 0
    /// Times, over every pass, a cell's next change waited for a live majority (rule 7 of
    /// `Reconciler`): a cell held back for three passes counts three.
    public private(set) var heldForLiveMajority = 0
    /// New moves' bucket, refilled at the directory's `movesPerSecond`.
    var throttle: MoveThrottle
    /// Leadership transfers' bucket, apart from the moves'.
    var transfers: MoveThrottle
    /// When each cell was last asked for a transfer, for cells asked within
    /// `transferRetrySeconds`; older entries are dropped every pass.
    var transferAskedAt: [CellID: Double] = [:]
    /// The status last written, its pass number zeroed, and when.
    var statusWritten: (status: ControlStatus, at: Double)?
    /// The last problem reported, not repeated while it lasts.
    var lastReport = ""
    /// Where the loop is in its pass.
    var phase: Phase = .idle
    /// Lines said since the last output.
    var unsaid: [String] = []

    /// A loop numbered `loop`, started at `now` (seconds): both throttles start empty, so a
    /// loop restarted in a crash loop still waits before its first move.
    public init(loop: UInt64, now: Double, configuration: Configuration = Configuration()) {
        self.loop = loop
        self.configuration = configuration
        throttle = MoveThrottle(now: now)
        transfers = MoveThrottle(now: now, burst: max(1, configuration.transfersPerSecond))
    }

    /// Starts a pass at `now` (seconds): its first step reads the directory. Only between
    /// passes (after `endPass`, or before the first).
    public mutating func startPass(now: Double) -> ControlLoopOutput {
        guard case .idle = phase else { preconditionFailure("Invalid state: pass \(pass + 1) started before pass \(pass) ended") }
        pass += 1
        phase = .readingDirectory(at: now)
        return output(.readDirectory)
    }

    /// Takes the answer to the step asked for last; returns what to say and do next.
    public mutating func handle(_ event: ControlLoopEvent) -> ControlLoopOutput {
        switch event {
        case .directoryRead(let result):
            return output(directoryRead(result))
        case .cellsListed(let summaries, let unreachable):
            return output(cellsListed(summaries, unreachable: unreachable))
        case .settingsRead(let result):
            return output(settingsRead(result))
        case .written:
            return output(written(failure: nil))
        case .writeFailed(let error):
            return output(written(failure: error))
        case .membershipChanged(let outcome):
            return output(membershipChanged(outcome))
        case .leadershipTransferred(let outcome):
            return output(leadershipTransferred(outcome))
        }
    }

    /// Step 1's answer: without a directory, the pass ends.
    private mutating func directoryRead(_ result: Result<DirectorySnapshot, DirectoryError>) -> ControlLoopStep {
        guard case .readingDirectory(let now) = phase else { unasked("a directory") }
        switch result {
        case .failure(let error):
            report("no moves: \(error)", pass: pass)
            phase = .idle
            return .endPass
        case .success(let snapshot):
            phase = .listingCells(snapshot, at: now)
            return .listCells(snapshot.nodes.filter { $0.state != .gone })
        }
    }

    /// Steps 2 and 3: the cells observed, the throttles refilled, the plan made; step 4 begins.
    private mutating func cellsListed(_ summaries: [NodeID: [ReplicaSummary]], unreachable: [NodeID]) -> ControlLoopStep {
        guard case .listingCells(let snapshot, let now) = phase else { unasked("a listing of cells") }
        throttle.refill(now: now, movesPerSecond: snapshot.settings.movesPerSecond)
        transfers.refill(now: now, movesPerSecond: configuration.transfersPerSecond)
        transferAskedAt = transferAskedAt.filter { now - $0.value < configuration.transferRetrySeconds }
        let observed = ObservedCell.gather(summaries)
        let plan = Reconciler.plan(
            snapshot, observed: observed, newMovesMax: throttle.available, movesUnderWayMax: configuration.movesUnderWayMax,
            transfersMax: transfers.available, transfersHeld: Set(transferAskedAt.keys), defects: configuration.defects)
        heldForLiveMajority += plan.heldForLiveMajority.count
        let work = PassWork(
            remaining: plan.actions[...], observed: observed,
            problems: unreachable.map { "node \($0.rawValue) did not answer; its replicas were not seen" },
            underWay: snapshot.cells.filter { $0.move != nil }.map(\.cell.name), paused: snapshot.settings.paused,
            replicasToMove: plan.replicasToMove, now: now)
        return advance(work)
    }

    /// The output saying what was said since the last one, and asking for `step`.
    private mutating func output(_ step: ControlLoopStep) -> ControlLoopOutput {
        defer { unsaid = [] }
        return ControlLoopOutput(lines: unsaid, step: step)
    }

    /// Logs `message`.
    mutating func say(_ message: String) {
        unsaid.append(message)
    }

    /// Logs `message` unless it is what the last report said (a problem that lasts is said
    /// once); `pass`, when given, prefixes the line but is not compared.
    mutating func report(_ message: String, pass: UInt64? = nil) {
        guard message != lastReport else { return }
        lastReport = message
        say(pass.map { "pass \($0): \(message)" } ?? message)
    }

    /// Stops on an answer to a step the core did not ask for: the shell broke the contract.
    func unasked(_ answer: String) -> Never {
        preconditionFailure("Invalid state: the shell answered with \(answer), which the control loop's core did not ask for")
    }
}
