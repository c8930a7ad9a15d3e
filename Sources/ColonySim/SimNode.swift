import ColonyCore
import ColonyNodeCore
import ColonyStorage

/// One simulated node: its node core and its write-ahead log while it is up, and its disk,
/// which is all that survives a crash.
struct SimNode {
    let id: NodeID
    /// The running node core, or nil while the node is down.
    var core: NodeCore?
    /// The node's log, on its simulated disk, while the node is up.
    var log: WriteAheadLog?
    let disk = SimulatedDisk()
    /// The format level the node writes, kept across crashes as a real node keeps it in its
    /// data directory.
    var formatLevel = FormatLevel.first
    /// The level the node's log writes, while the node is up.
    var formatWritten: WrittenFormat?
    /// The last append ticket handed to the log, and the ticket the flush under way covers.
    var appendedTicket: UInt64 = 0
    var flushingTicket: UInt64?
    /// The LSN of each append's last record, for appends whose messages may not all be
    /// released yet, oldest first.
    var appendLSNs: [(ticket: UInt64, lsn: UInt64)] = []
    /// The newest log record any message or reply the node sent rested on: recovery must
    /// bring back at least this much, across every crash.
    var releasedLSN: UInt64 = 0
    /// How many times the node started, which seeds each incarnation differently and tells
    /// a stale flush completion from a current one.
    var incarnation: UInt64 = 0
    /// Until when the node is frozen (a long pause, as of a stalled process), if it is.
    var pausedUntil: UInt64?
    /// What reached the node while it was frozen, in arrival order: taken when it resumes,
    /// whether its pause runs out or a heal ends it early.
    var heldBack: [SimEvent] = []
    /// The length of this node's tick on the simulated clock: clocks drift.
    var tickInterval: UInt64 = 10 * Nanoseconds.millisecond
    /// Whether the node is lost for good (the `remove` action): it never restarts.
    var isGone = false
    /// When the node last went down (crashed or stopped), in simulated nanoseconds.
    var wentDownAt: UInt64?

    var isUp: Bool { core != nil }

    /// The replicas the node hosts while it is up.
    var host: ReplicaHost? { core?.host }

    /// Loses power: the process and everything the disk had not made durable are gone.
    mutating func crash(at time: UInt64, using random: inout SplitMix64) {
        wentDownAt = time
        core = nil
        log = nil
        appendedTicket = 0
        flushingTicket = nil
        appendLSNs = []
        pausedUntil = nil
        disk.crash(using: &random)
    }
}
