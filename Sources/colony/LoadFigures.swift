import Histogram

/// One measurement's figures: its latencies in an HDR histogram (nanoseconds, three
/// significant digits), the operations that failed, and how long it took.
struct LoadFigures {
    /// The latency of every acknowledged operation, in nanoseconds.
    var latencies: Histogram<UInt64>
    var errors: Int
    var seconds: Double

    /// The latencies a histogram of the benchmarks tells apart: from a microsecond to a
    /// minute (a longer one is counted as a minute).
    static let latencyRange: ClosedRange<UInt64> = 1_000...60_000_000_000

    /// An empty histogram of latencies, one per caller, merged at the end of a measurement.
    static func emptyLatencies() -> Histogram<UInt64> {
        Histogram(
            lowestDiscernibleValue: latencyRange.lowerBound, highestTrackableValue: latencyRange.upperBound, numberOfSignificantValueDigits: .three)
    }

    /// Records `nanoseconds` in `latencies`, a latency past the range as its upper bound.
    static func record(_ nanoseconds: UInt64, in latencies: inout Histogram<UInt64>) {
        latencies.record(min(nanoseconds, latencyRange.upperBound))
    }

    init(latencies: Histogram<UInt64>, errors: Int, seconds: Double) {
        self.latencies = latencies
        self.errors = errors
        self.seconds = seconds
    }

    /// The figures of the latencies `nanoseconds` (in any order).
    init(latencies nanoseconds: [UInt64], errors: Int, seconds: Double) {
        var latencies = Self.emptyLatencies()
        for latency in nanoseconds { Self.record(latency, in: &latencies) }
        self.init(latencies: latencies, errors: errors, seconds: seconds)
    }

    /// Acknowledged operations.
    var count: UInt64 { latencies.totalCount }

    /// Acknowledged operations per second.
    var perSecond: Double { Double(count) / max(seconds, 1e-9) }

    /// The latency `percent` % of the operations took at most, in nanoseconds.
    func latency(atPercent percent: Double) -> UInt64 {
        latencies.valueAtPercentile(percent)
    }

    static let header = Format.padded("", 30) + Format.padded("ops/s", 10, right: true) + Format.padded("errors", 8, right: true)
        + Format.padded("p50", 11, right: true) + Format.padded("p99", 11, right: true) + Format.padded("p99.9", 11, right: true)

    /// `header` with the columns of `line(_:cpu:)`: CPU per acknowledged operation.
    static let headerWithCPU = header + Format.padded("CPU µs/op: servers", 20, right: true) + Format.padded("client", 8, right: true)
        + Format.padded("total", 8, right: true)

    /// `line(_:)` with `cpu`, the CPU each acknowledged operation cost, in microseconds.
    func line(_ label: String, cpu: CPUCost) -> String {
        func microseconds(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "?" }
        return line(label) + Format.padded(microseconds(cpu.serverMicroseconds), 20, right: true)
            + Format.padded(microseconds(cpu.clientMicroseconds), 8, right: true) + Format.padded(microseconds(cpu.totalMicroseconds), 8, right: true)
    }

    func line(_ label: String) -> String {
        Format.padded(label, 30) + String(format: "%10.0f %7d", perSecond, errors)
            + Format.padded(Format.milliseconds(latency(atPercent: 50)), 11, right: true)
            + Format.padded(Format.milliseconds(latency(atPercent: 99)), 11, right: true)
            + Format.padded(Format.milliseconds(latency(atPercent: 99.9)), 11, right: true)
    }
}
