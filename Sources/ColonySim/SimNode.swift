import ColonyCore

/// One simulated node: its host of replicas while it is up, and what it made durable,
/// which is all that survives a crash.
struct SimNode {
    let id: NodeID
    /// The running host, or nil while the node is down.
    var host: ReplicaHost?
    /// Each cell's durable state: the fold of every record the node persisted.
    var durable: [CellID: DurableCellState] = [:]
    /// How many times the node restarted, which seeds each incarnation differently.
    var incarnation: UInt64 = 0
    /// Until when the node is frozen (a long pause, as of a stalled process), if it is.
    var pausedUntil: UInt64?
    /// The length of this node's tick on the simulated clock: clocks drift.
    var tickInterval: UInt64 = 10 * Nanoseconds.millisecond

    var isUp: Bool { host != nil }

    /// Makes every record durable at once (this simulator's disk has no latency or loss of
    /// synced data: what a replica persisted survives).
    mutating func persist(_ records: [CellRecord]) {
        for record in records {
            durable[record.cell, default: DurableCellState()].apply(record.record)
        }
    }

    /// Loses everything not persisted.
    mutating func crash() {
        host = nil
        pausedUntil = nil
    }

    /// Rebuilds the host from what was persisted.
    mutating func restart(options: ReplicaOptions, seed: UInt64) {
        incarnation += 1
        host = ReplicaHost(node: id, restoring: durable, options: options, seed: seed ^ incarnation)
    }
}
