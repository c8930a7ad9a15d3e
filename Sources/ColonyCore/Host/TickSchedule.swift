/// When a host next ticks each awake replica: at the tick its `CellReplica.ticksUntilDue`
/// names, not at every tick, so a follower waiting on its election timer costs one tick per
/// timeout rather than one per tick, and an idle leader one per heartbeat.
///
/// Kept by position in the host's array of replicas (no cell name is hashed on the hot path).
/// Each awake replica has a clock (the host tick its replica clock was last brought to) and
/// one due tick, filed in that tick's bucket. A due tick only ever moves earlier in place; a
/// replica whose timer moved later (a leader's heartbeat put off its follower's election) is
/// ticked at the old due tick, finds nothing to do, and is filed again. An entry whose replica
/// rested, moved or is due at another tick since is passed over when its bucket is taken, so
/// entries last no longer than the longest timer.
struct TickSchedule: Sendable {
    /// When a replica is next ticked.
    private enum Due: Equatable {
        /// Not at all: it rests, and its host wakes it before it hands it anything.
        case resting
        /// Not until it is handed something.
        case never
        /// At this host tick.
        case at(UInt64)
    }

    /// Each replica's clock, by position: the host tick it was last brought to, and when it
    /// is next ticked.
    private var clocks: [(syncedAt: UInt64, due: Due)] = []
    /// The positions due at each host tick, in the order they were filed.
    private var buckets: [UInt64: [Int]] = [:]

    /// Makes room for a replica added at the end, resting.
    mutating func append() {
        clocks.append((0, .resting))
    }

    /// The replica at `position` is removed and the last one moves into its place.
    mutating func remove(at position: Int) {
        let last = clocks.count - 1
        if position != last {
            clocks[position] = clocks[last]
            if case .at(let tick) = clocks[position].due { buckets[tick, default: []].append(position) }
        }
        clocks.removeLast()
    }

    /// Starts ticking the replica at `position`, awake from host tick `now`: its clock is
    /// there already, so it is first due at the next tick.
    mutating func start(_ position: Int, now: UInt64) {
        guard clocks[position].due == .resting else { return }
        clocks[position] = (now, .at(now + 1))
        buckets[now + 1, default: []].append(position)
    }

    /// Stops ticking the replica at `position`: it rests.
    mutating func stop(_ position: Int) {
        clocks[position].due = .resting
    }

    /// The ticks the clock of the replica at `position` is behind host tick `now`.
    func pendingTicks(_ position: Int, now: UInt64) -> UInt64 {
        now - min(clocks[position].syncedAt, now)
    }

    /// Brings the clock of the awake replica at `position` to host tick `now`; returns the
    /// ticks it moved by (zero for a resting one).
    mutating func sync(_ position: Int, now: UInt64) -> UInt64 {
        guard clocks[position].due != .resting else { return 0 }
        let pending = pendingTicks(position, now: now)
        clocks[position].syncedAt = now
        return pending
    }

    /// Files the awake replica at `position`, its clock brought to host tick `now`, as due
    /// `ticks` ticks from then (nil: not until it is handed something), unless it is due
    /// sooner already.
    mutating func file(_ position: Int, dueIn ticks: UInt64?, now: UInt64) {
        let tick = ticks.map { now.saturatingAdding(max($0, 1)) }
        switch clocks[position].due {
        case .resting:
            return
        case .at(let filed) where filed > now && filed <= tick ?? .max:
            return
        case .at, .never:
            clocks[position].due = tick.map(Due.at) ?? .never
            if let tick { buckets[tick, default: []].append(position) }
        }
    }

    /// Takes what was filed for host tick `now`, in the order it was filed; each position of
    /// it is to be ticked only if it is still due then (`isDue`), and at most once.
    mutating func takeFiled(now: UInt64) -> [Int] {
        buckets.removeValue(forKey: now) ?? []
    }

    /// Whether the replica at `position` is due at host tick `now`.
    func isDue(_ position: Int, now: UInt64) -> Bool {
        position < clocks.count && clocks[position].due == .at(now)
    }
}
