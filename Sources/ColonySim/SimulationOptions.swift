@_spi(Testing) import ColonyControl
import ColonyCore
@_spi(Testing) import ColonyStorage

/// The shape of one simulated run: the colony, the workload, the faults.
public struct SimulationOptions: Sendable {
    /// How many nodes the colony starts with: its fleet, over which the cells are placed.
    public var nodes: Int = 9
    /// Spare nodes: running from the start but outside the fleet, with no replicas, until the
    /// `add` action joins one to the fleet.
    public var spareNodes: Int = 2
    /// The zones the fleet's nodes are spread over (each seed lays out its own racks).
    public var zones: Int = 3
    /// How many cells it hosts.
    public var cells: Int = 50
    /// Replicas per cell (odd, 3 to 9, at most `nodes`); with `replicasPerCell`, the most any cell has.
    public var replicas: Int = 7
    /// Each cell's replica count, by cell index, when cells differ (swarm testing); nil
    /// when every cell has `replicas`.
    public var replicasPerCell: [Int]?
    /// How many clients run operations at once.
    public var clients: Int = 8
    /// Keys each client uses per cell.
    public var keysPerCell: Int = 3
    /// One cell in this many also gets multi-key transactions (checked whole, not per key).
    public var transactionCellEvery: Int = 5
    /// Simulated time the workload runs, in nanoseconds; the run then heals and drains.
    public var duration: UInt64 = 10 * Nanoseconds.second
    /// The faults to inject.
    public var faults: Set<FaultKind> = Set(FaultKind.allCases)
    /// How often and how hard faults strike.
    public var faultRates = FaultRates()
    /// The length of a replica tick.
    public var tick: UInt64 = 10 * Nanoseconds.millisecond
    /// The options of every replica.
    public var replica = ReplicaOptions()
    /// How long a client waits for one attempt before trying again.
    public var attemptTimeout: UInt64 = 100 * Nanoseconds.millisecond
    /// How long a client keeps trying one operation before it gives up (a write's outcome
    /// is then unknown: info).
    public var operationDeadline: UInt64 = Nanoseconds.second
    /// Whether to record the history (the checker needs it; the demo and benchmarks may not).
    public var recordsHistory = true
    /// The most membership changes the control plane (drains, removals, rebalancing, moves)
    /// has in flight at once, colony-wide.
    public var controlChangesInFlightMax = 3
    /// Deliberate mistakes of the simulated control plane, so tests can show the checks catch them.
    @_spi(Testing) public var controlDefects: Set<ControlDefect> = []
    /// Deliberate mistakes of the nodes' log recovery, so tests can show the checks catch them.
    @_spi(Testing) public var storageDefects: Set<StorageDefect> = []
    /// When the colony's format level is raised from 1 to 2, in simulated nanoseconds (nil:
    /// never). Every simulated node reads both levels; node `i` writes level 2 from this time
    /// plus `i` × 100 ms on, in its frames and its log, so frames of both levels cross while
    /// nodes crash and restart (a node keeps its level across restarts, as a real node's
    /// data directory does).
    public var formatRaisedAt: UInt64?

    /// Makes the default options.
    public init() {}

    /// How a simulated client retries, with the production `RetryMachine`: each attempt waits
    /// `attemptTimeout`, the operation `operationDeadline`; the cap on the pause before a
    /// retry grows 5 ms per attempt up to 50 ms. It has no retry budget: the deadline alone
    /// bounds its retries.
    public var clientRetryPolicy: RetryPolicy {
        RetryPolicy(
            attemptTimeoutNanoseconds: attemptTimeout, deadlineNanoseconds: operationDeadline,
            backoffBaseNanoseconds: 5 * Nanoseconds.millisecond, backoffMaxNanoseconds: 50 * Nanoseconds.millisecond,
            backoffGrowth: .linear)
    }

    /// Checks the options; throws a message naming what is wrong.
    public func validate() throws(SimulationOptionsError) {
        guard nodes >= 3, nodes <= 1_000 else { throw .invalid("--nodes must be from 3 to 1000, not \(nodes)") }
        guard replicas >= CellConfiguration.membersMin, replicas <= CellConfiguration.membersMax, replicas % 2 == 1 else {
            throw .invalid("--replicas must be odd, from 3 to 9, not \(replicas)")
        }
        guard replicas <= nodes else { throw .invalid("--replicas (\(replicas)) cannot exceed --nodes (\(nodes))") }
        if let replicasPerCell {
            guard replicasPerCell.count == cells else { throw .invalid("a replica count is needed for each of the \(cells) cells") }
            guard replicasPerCell.allSatisfy({ $0 >= CellConfiguration.membersMin && $0 <= replicas && $0 % 2 == 1 }) else {
                throw .invalid("every cell's replica count must be odd, from 3 to --replicas (\(replicas))")
            }
        }
        try faultRates.validate()
        guard spareNodes >= 0, nodes + spareNodes <= 1_000 else {
            throw .invalid("--spare-nodes must be from 0 to \(1_000 - nodes) (at most 1000 nodes in all), not \(spareNodes)")
        }
        guard zones >= 1, zones <= nodes else { throw .invalid("--zones must be from 1 to --nodes (\(nodes)), not \(zones)") }
        guard controlChangesInFlightMax >= 1, controlChangesInFlightMax <= 1_000 else {
            throw .invalid("control changes in flight must be from 1 to 1000, not \(controlChangesInFlightMax)")
        }
        guard cells >= 1, cells <= 1_000_000 else { throw .invalid("--cells must be from 1 to 1000000, not \(cells)") }
        guard clients >= 1, clients <= 10_000 else { throw .invalid("--clients must be from 1 to 10000, not \(clients)") }
        guard keysPerCell >= 1, keysPerCell <= 100 else { throw .invalid("keys per cell must be from 1 to 100") }
        guard duration >= tick else { throw .invalid("the duration must be at least one tick") }
        do {
            try replica.validate()
        } catch {
            throw .invalid(error.description)
        }
    }
}

/// Why simulation options were refused.
public enum SimulationOptionsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An option was out of range; the text says which and why.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text): return text
        }
    }
}

/// Units of simulated time.
public enum Nanoseconds {
    /// One millisecond in nanoseconds.
    public static let millisecond: UInt64 = 1_000_000
    /// One second in nanoseconds.
    public static let second: UInt64 = 1_000_000_000
}
