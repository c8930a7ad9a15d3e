import ColonyCore

/// The bounds past which a chaos run stops its faults and heals at once, as AWS FIS's stop
/// conditions stop an experiment: the load's error rate and p99.9 latency over a recent
/// window, and how many of the load's cells went without a known leader for too long.
struct ChaosStopConditions: Sendable {
    /// The largest share (0 to 1) of operations ended in the window that may be errors.
    var errorRateMax = 0.5
    /// The error rate is judged only over at least this many operations in the window, so a
    /// single failure at the start is not a rate of 100%.
    var errorRateOperationsMin = 20
    /// The largest p99.9 latency of the operations in the window (those still running count
    /// with their age so far, so a load that stalls outright is seen).
    var latencyP999Max: Duration = .seconds(12)
    /// How far back the window reaches.
    var window: Duration = .seconds(5)
    /// The most cells of the load that may have gone without a known leader for `leaderlessFor`.
    var leaderlessCellsMax = 0
    /// How long a cell must go without a known leader to count as leaderless.
    var leaderlessFor: Duration = .seconds(10)
}

/// The stop condition that fired, with what was seen.
enum ChaosStop: Equatable, Sendable, CustomStringConvertible {
    /// Too many operations in the window ended in an error.
    case errorRate(observed: Double, bound: Double, operations: Int)
    /// The window's p99.9 latency went past its bound.
    case latency(observedP999: Duration, bound: Duration)
    /// Too many cells went without a known leader for too long.
    case leaderlessCells(cells: [String], bound: Int, lasting: Duration)

    /// The condition's name, for scripts: error-rate, latency-p99.9, leaderless-cells.
    var name: String {
        switch self {
        case .errorRate: "error-rate"
        case .latency: "latency-p99.9"
        case .leaderlessCells: "leaderless-cells"
        }
    }

    var description: String {
        switch self {
        case .errorRate(let observed, let bound, let operations):
            "error rate \(percent(observed)) of \(operations) operations above \(percent(bound))"
        case .latency(let observed, let bound):
            "p99.9 latency \(Format.rounded(observed)) above \(Format.rounded(bound))"
        case .leaderlessCells(let cells, let bound, let lasting):
            "\(cells.count) cells without a leader for \(Format.rounded(lasting)) (\(cells.joined(separator: ","))), above \(bound)"
        }
    }

    private func percent(_ share: Double) -> String {
        "\(Double(Int((share * 1_000).rounded())) / 10)%"
    }
}

/// The load's recent figures and the cells' leaders as a chaos run sees them, judged against
/// the stop conditions. Fed the history's new events and each survey of the leaders; times
/// are the history's nanoseconds.
///
/// An error is an operation that ended in info (its outcome unknown), or a read or write that
/// ended in fail; a compare-and-set that failed is not one, since a condition that does not
/// hold is its ordinary way to fail.
struct ChaosWatch: Sendable {
    let conditions: ChaosStopConditions
    private let window: UInt64
    private var operations = OperationTimes()
    /// Operations ended within the window: when, how long they took, whether in an error.
    private var ended: [(time: UInt64, latency: UInt64, error: Bool)] = []
    /// When each cell of the load was last seen with a leader.
    private var lastLed: [String: UInt64]
    /// The node last seen leading each cell of the load.
    private var leaders: [String: UInt32] = [:]
    /// How many times a survey found a cell led by another node than the one seen before.
    private(set) var leaderChanges = 0

    /// A watch over the load's `cells`, each counted as led at `start`.
    init(conditions: ChaosStopConditions, cells: [String], start: UInt64) {
        self.conditions = conditions
        window = Self.nanoseconds(conditions.window)
        lastLed = Dictionary(uniqueKeysWithValues: cells.map { ($0, start) })
    }

    /// Takes the history's events since the last call, in order.
    mutating func observe<Events: Sequence>(_ events: Events) where Events.Element == HistoryEvent {
        for event in events {
            if let latency = operations.take(event) {
                let error = event.type == .info || (event.type == .fail && event.function != .cas)
                ended.append((event.time, latency, error))
            }
        }
    }

    /// Takes a survey of the leaders made at `time`: the cells each node that answered leads.
    mutating func observeLeaders(_ cellsLed: [UInt32: Set<String>], at time: UInt64) {
        for (node, cells) in cellsLed.sorted(by: { $0.key < $1.key }) {
            for cell in cells.sorted() where lastLed[cell] != nil {
                lastLed[cell] = time
                if let before = leaders[cell], before != node { leaderChanges += 1 }
                leaders[cell] = node
            }
        }
    }

    /// The first condition past its bound at `now`, if any; forgets what left the window.
    mutating func evaluate(now: UInt64) -> ChaosStop? {
        ended.removeAll { $0.time + window < now }
        let errors = ended.filter(\.error).count
        if ended.count >= conditions.errorRateOperationsMin {
            let rate = Double(errors) / Double(ended.count)
            if rate > conditions.errorRateMax {
                return .errorRate(observed: rate, bound: conditions.errorRateMax, operations: ended.count)
            }
        }
        let latencies = (ended.map(\.latency) + operations.inFlight.values.map { now - min($0, now) }).sorted()
        if !latencies.isEmpty {
            let p999 = Duration.nanoseconds(Int64(latencies[Self.rank(0.999, of: latencies.count)]))
            if p999 > conditions.latencyP999Max {
                return .latency(observedP999: p999, bound: conditions.latencyP999Max)
            }
        }
        let lasting = Self.nanoseconds(conditions.leaderlessFor)
        let leaderless = lastLed.filter { now - min($0.value, now) >= lasting }.keys.sorted()
        if leaderless.count > conditions.leaderlessCellsMax {
            return .leaderlessCells(cells: leaderless, bound: conditions.leaderlessCellsMax, lasting: conditions.leaderlessFor)
        }
        return nil
    }

    /// The index of the `quantile` in a sorted list of `count` values (nearest rank).
    static func rank(_ quantile: Double, of count: Int) -> Int {
        max(0, min(count - 1, Int((quantile * Double(count)).rounded(.up)) - 1))
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds)) * 1_000_000_000 + UInt64(max(0, duration.components.attoseconds) / 1_000_000_000)
    }
}

/// When each operation of a history began, to tell how long it took once it ends.
struct OperationTimes: Sendable {
    /// When each process's operation in flight began, in the history's nanoseconds.
    private(set) var inFlight: [Int: UInt64] = [:]

    /// Takes the history's next event: the nanoseconds the operation took if the event ends one.
    mutating func take(_ event: HistoryEvent) -> UInt64? {
        if event.type == .invoke {
            inFlight[event.process] = event.time
            return nil
        }
        return inFlight.removeValue(forKey: event.process).map { event.time - min($0, event.time) }
    }

    /// The p99.9 latency of the operations of `history` that ended; zero if none did.
    static func p999(of history: [HistoryEvent]) -> Duration {
        var times = OperationTimes()
        let latencies = history.compactMap { times.take($0) }.sorted()
        guard !latencies.isEmpty else { return .zero }
        return .nanoseconds(Int64(latencies[ChaosWatch.rank(0.999, of: latencies.count)]))
    }
}
