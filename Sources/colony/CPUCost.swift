import Foundation

/// CPU time (user and system, from /proc) of the server processes of a measurement and of the
/// load generator (this process), read at one moment.
struct CPUReading: Equatable {
    /// The servers' CPU seconds, summed; nil if any server's could not be read.
    var servers: Double?
    /// This process's CPU seconds; nil if it could not be read.
    var client: Double?

    /// Reads the CPU time of the processes `servers` and of this process now.
    static func now(servers: [Int32]) -> CPUReading {
        let each = servers.map { ProcessFigures.cpuSeconds(of: $0) }
        let summed: Double? = each.contains { $0 == nil } ? nil : each.reduce(0) { $0 + ($1 ?? 0) }
        return CPUReading(servers: summed, client: ProcessFigures.cpuSeconds(of: getpid()))
    }
}

/// The CPU a measurement cost the servers and the load generator, per acknowledged operation.
struct CPUCost: Equatable {
    /// The servers' CPU seconds over the measurement; nil if unknown.
    var serverSeconds: Double?
    /// The load generator's CPU seconds over the measurement; nil if unknown.
    var clientSeconds: Double?
    /// The operations acknowledged meanwhile.
    var operations: UInt64

    /// The cost of `operations` acknowledged between the readings `start` and `end`.
    init(from start: CPUReading, to end: CPUReading, operations: UInt64) {
        serverSeconds = Self.spent(start.servers, end.servers)
        clientSeconds = Self.spent(start.client, end.client)
        self.operations = operations
    }

    /// Microseconds of the servers' CPU per operation; nil if unknown or no operation was acknowledged.
    var serverMicroseconds: Double? { perOperation(serverSeconds) }

    /// Microseconds of the load generator's CPU per operation; nil if unknown or none acknowledged.
    var clientMicroseconds: Double? { perOperation(clientSeconds) }

    /// Microseconds of CPU per operation of servers and load generator together.
    var totalMicroseconds: Double? {
        guard let server = serverMicroseconds, let client = clientMicroseconds else { return nil }
        return server + client
    }

    /// CPU seconds from `start` to `end`; nil if either is unknown, or `end` is before `start`
    /// (a process was replaced between the readings).
    private static func spent(_ start: Double?, _ end: Double?) -> Double? {
        guard let start, let end, end >= start else { return nil }
        return end - start
    }

    private func perOperation(_ seconds: Double?) -> Double? {
        guard let seconds, operations > 0 else { return nil }
        return seconds * 1e6 / Double(operations)
    }
}
