/// When a host next ticks each awake replica: at the tick its `CellReplica.ticksUntilDue`
/// names, not at every tick, so a follower waiting on its election timer costs one tick per
/// timeout rather than one per tick, and an idle leader one per heartbeat.
///
/// Kept by position in the host's array of replicas (no cell name is hashed on the hot path).
/// Each awake replica has a clock (the host tick its replica clock was last brought to) and
/// one due tick, filed in that tick's bucket. A due tick only ever moves earlier in place; a
/// replica whose timer moved later (a leader's heartbeat put off its follower's election) is
/// ticked at the old due tick, finds nothing to do, and is filed again. An entry whose replica
/// rested, moved or is due at another tick since is passed over when its bucket is taken.
struct TickSchedule: Sendable {
    /// Each replica's clock, by position: the host tick it was last brought to, and the host
    /// tick it is next due (0 while it rests; `.max` while nothing is due).
    private var clocks: [(syncedAt: UInt64, dueAt: UInt64)] = []
    /// The positions due at each host tick, in the order they were filed.
    private var buckets: [UInt64: [Int]] = [:]

    /// Makes room for a replica added at the end, resting.
    mutating func append() {
        clocks.append((0, 0))
    }

    /// The replica at `position` is removed and the last one moves into its place.
    mutating func remove(at position: Int) {
        let last = clocks.count - 1
        if position != last {
            clocks[position] = clocks[last]
            let due = clocks[position].dueAt
            if due != 0, due != .max { buckets[due, default: []].append(position) }
        }
        clocks.removeLast()
    }

    /// Starts ticking the replica at `position`, awake from host tick `now`: it is due at the
    /// next tick.
    mutating func start(_ position: Int, now: UInt64) {
        guard clocks[position].dueAt == 0 else { return }
        clocks[position] = (now, now + 1)
        buckets[now + 1, default: []].append(position)
    }

    /// Stops ticking the replica at `position`: it rests.
    mutating func stop(_ position: Int) {
        clocks[position].dueAt = 0
    }

    /// Brings the clock of the awake replica at `position` to host tick `now`; returns the
    /// ticks it moved by (zero for a resting one).
    mutating func sync(_ position: Int, now: UInt64) -> UInt64 {
        let clock = clocks[position]
        guard clock.dueAt != 0, clock.syncedAt < now else { return 0 }
        clocks[position].syncedAt = now
        return now - clock.syncedAt
    }

    /// The ticks the clock of the replica at `position` is behind host tick `now`.
    func pendingTicks(_ position: Int, now: UInt64) -> UInt64 {
        now - min(clocks[position].syncedAt, now)
    }

    /// Files the awake replica at `position`, its clock brought to host tick `now`, as due
    /// `ticks` ticks from then (nil: not until it is handed something), unless it is due
    /// sooner already.
    mutating func file(_ position: Int, dueIn ticks: UInt64?, now: UInt64) {
        let scheduled = clocks[position].dueAt
        guard scheduled != 0 else { return }
        let due = ticks.map { now.addingReportingOverflow(max($0, 1)) }.map { $0.overflow ? .max : $0.partialValue } ?? .max
        guard due < scheduled || scheduled <= now else { return }
        clocks[position].dueAt = due
        if due != .max { buckets[due, default: []].append(position) }
    }

    /// Takes what was filed for host tick `now`, in the order it was filed; each position of
    /// it is to be ticked only if it is still due then (`isDue`), and at most once.
    mutating func takeFiled(now: UInt64) -> [Int] {
        buckets.removeValue(forKey: now) ?? []
    }

    /// Whether the replica at `position` is due at host tick `now`.
    func isDue(_ position: Int, now: UInt64) -> Bool {
        position < clocks.count && clocks[position].dueAt == now
    }
}
