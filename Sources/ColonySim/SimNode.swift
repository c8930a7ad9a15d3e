import ColonyCore
import ColonyStorage

/// One simulated node: its host of replicas and its write-ahead log while it is up, and its
/// disk, which is all that survives a crash.
struct SimNode {
    let id: NodeID
    /// The running host, or nil while the node is down.
    var host: ReplicaHost?
    /// The node's log, on its simulated disk, while the node is up.
    var log: WriteAheadLog?
    let disk = SimulatedDisk()
    /// Outputs waiting for their records to be durable, oldest first, with the LSN they wait for.
    var held: [(lsn: UInt64, output: HostOutput)] = []
    /// The newest log record any message or reply the node sent rested on: recovery must
    /// bring back at least this much, across every crash.
    var releasedLSN: UInt64 = 0
    /// How many times the node started, which seeds each incarnation differently and tells
    /// a stale flush completion from a current one.
    var incarnation: UInt64 = 0
    /// Until when the node is frozen (a long pause, as of a stalled process), if it is.
    var pausedUntil: UInt64?
    /// The length of this node's tick on the simulated clock: clocks drift.
    var tickInterval: UInt64 = 10 * Nanoseconds.millisecond
    /// Whether the node is lost for good (the `remove` action): it never restarts.
    var isGone = false

    var isUp: Bool { host != nil }

    /// Loses power: the process and everything the disk had not made durable are gone.
    mutating func crash(using random: inout SplitMix64) {
        host = nil
        log = nil
        held = []
        pausedUntil = nil
        disk.crash(using: &random)
    }
}
