import NIOCore

/// How late a node's ticks come: the time between the starts of two ticks, less one tick
/// length. A tick runs on the node's event loop one tick length after the last one ended, so
/// this counts the last tick's own run (every awake replica ticked) and the loop's other work
/// meanwhile (a burst of creations, peer frames); either delays the node's liveness
/// heartbeats, and a delay near the liveness timeout makes peers take the node for dead and
/// wake every follower of the cells it leads. So each tick's delay is measured (`colony_tick_delay_seconds`), and long ones are logged, at most
/// one line per `reportEvery`, as etcd warns of a leader that failed to send heartbeats on time.
struct LateTicks {
    /// A delay worth a line in the log: half the core's default liveness timeout (a node
    /// process waits 3 s).
    static let worthReporting = TimeAmount.milliseconds(250)
    /// The least time between two lines.
    static let reportEvery = TimeAmount.seconds(10)

    /// When the last tick ran.
    private var lastTick: NIODeadline
    /// When the last line was written.
    private var lastReport: NIODeadline?
    /// Delays worth reporting since the last line, and the longest of them.
    private var unreported = 0
    private var longest = TimeAmount.zero

    /// Starts measuring at `started`, the clock's start.
    init(started: NIODeadline) {
        lastTick = started
    }

    /// A tick ran at `now`, due one `tick` after the last: returns its delay, and a line for
    /// the log when one is due.
    mutating func tick(at now: NIODeadline, length tick: TimeAmount) -> (delay: TimeAmount, report: String?) {
        let delay = max(.zero, now - lastTick - tick)
        lastTick = now
        guard delay >= Self.worthReporting else { return (delay, nil) }
        unreported += 1
        longest = max(longest, delay)
        if let lastReport, now - lastReport < Self.reportEvery { return (delay, nil) }
        let line = "the node's event loop was busy: \(unreported) ticks came late by \(Self.worthReporting.milliseconds) ms or more, the longest by \(longest.milliseconds) ms; peers take a node silent for long for dead"
        lastReport = now
        unreported = 0
        longest = .zero
        return (delay, line)
    }
}

extension TimeAmount {
    /// Whole milliseconds.
    fileprivate var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
