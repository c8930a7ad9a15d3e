import ColonyCore

/// The requests a node's shells wait on, by the cell and request id their reply will carry,
/// each with the tick by which it must be answered.
///
/// One request id waits once: a client that retries an id before the first attempt was
/// answered takes the answer over, and the earlier waiter is told it was superseded.
struct WaiterTable {
    /// What a waiter waits for, which decides how the cell's reply is turned into its answer.
    enum Purpose: Hashable {
        /// A client request: the reply as it is.
        case client
        /// The control plane's membership change: the reply as a `MembershipChangeOutcome`.
        case membershipChange
    }

    /// One request waiting for its reply.
    struct Waiter: Hashable {
        var id: WaiterID
        var purpose: Purpose
        /// The tick after which it is answered with `timedOut`.
        var deadline: UInt64
    }

    /// The reply a waiter waits for is matched by cell and request id (ids count per cell).
    struct Key: Hashable {
        var cell: CellID
        var request: RequestID
    }

    private var waiters: [Key: Waiter] = [:]
    /// The keys whose deadline is each tick; a key whose waiter was answered or replaced is
    /// skipped when its tick comes.
    private var deadlines: [UInt64: [Key]] = [:]

    /// How many requests wait.
    var count: Int { waiters.count }

    /// Adds a waiter for `key`; returns the waiter it replaces, if one waited for that id.
    mutating func add(_ waiter: Waiter, for key: Key) -> Waiter? {
        deadlines[waiter.deadline, default: []].append(key)
        return waiters.updateValue(waiter, forKey: key)
    }

    /// Removes and returns the waiter for `key`, if any.
    mutating func take(_ key: Key) -> Waiter? {
        waiters.removeValue(forKey: key)
    }

    /// Removes and returns the waiters whose deadline is `tick`; call it for every tick in turn.
    mutating func expire(at tick: UInt64) -> [Waiter] {
        guard let keys = deadlines.removeValue(forKey: tick) else { return [] }
        var expired: [Waiter] = []
        for key in keys {
            guard let waiter = waiters[key], waiter.deadline == tick else { continue }
            waiters[key] = nil
            expired.append(waiter)
        }
        return expired
    }

    /// Removes and returns every waiter of `cell`, with its key, in waiter order.
    mutating func takeAll(of cell: CellID) -> [(key: Key, waiter: Waiter)] {
        let taken = waiters.filter { $0.key.cell == cell }.map { (key: $0.key, waiter: $0.value) }.sorted { $0.waiter.id < $1.waiter.id }
        for entry in taken { waiters[entry.key] = nil }
        return taken
    }

    /// Removes and returns every waiter, in waiter order.
    mutating func takeAll() -> [Waiter] {
        defer {
            waiters = [:]
            deadlines = [:]
        }
        return waiters.values.sorted { $0.id < $1.id }
    }
}
