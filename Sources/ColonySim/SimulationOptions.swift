import ColonyCore

/// The shape of one simulated run: the colony, the workload, the faults.
public struct SimulationOptions: Sendable {
    /// How many nodes the colony has.
    public var nodes: Int = 9
    /// How many cells it hosts.
    public var cells: Int = 50
    /// Replicas per cell (odd, 3 to 9, at most `nodes`).
    public var replicas: Int = 7
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
    /// The length of a replica tick.
    public var tick: UInt64 = 10 * Nanoseconds.millisecond
    /// The options of every replica.
    public var replica = ReplicaOptions()
    /// How long a client waits for one attempt before trying again.
    public var attemptTimeout: UInt64 = 100 * Nanoseconds.millisecond
    /// How long a client keeps trying one operation before it records it as unknown (info).
    public var operationDeadline: UInt64 = Nanoseconds.second
    /// Whether to record the history (the checker needs it; the demo and benchmarks may not).
    public var recordsHistory = true

    /// Makes the default options.
    public init() {}

    /// Checks the options; throws a message naming what is wrong.
    public func validate() throws(SimulationOptionsError) {
        guard nodes >= 3, nodes <= 1_000 else { throw .invalid("--nodes must be from 3 to 1000, not \(nodes)") }
        guard replicas >= CellConfiguration.membersMin, replicas <= CellConfiguration.membersMax, replicas % 2 == 1 else {
            throw .invalid("--replicas must be odd, from 3 to 9, not \(replicas)")
        }
        guard replicas <= nodes else { throw .invalid("--replicas (\(replicas)) cannot exceed --nodes (\(nodes))") }
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
