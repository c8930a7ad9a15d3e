import ColonyCheck
import ColonyCore
import ColonySim
import Foundation

/// The demo's terminal view: a block of lines redrawn in place on a terminal, or a plain
/// progress line now and then when the output is a file or a pipe.
final class DemoView {
    let interactive: Bool
    private var linesDrawn = 0

    init(interactive: Bool) {
        self.interactive = interactive
    }

    /// How often the view is drawn, in nanoseconds.
    var frameInterval: UInt64 { interactive ? 250 * Nanoseconds.millisecond : 2 * Nanoseconds.second }

    func printHeader(_ simulation: Simulation) {
        let options = simulation.options
        print("""
            colony demo — seed \(simulation.seed): \(options.nodes) nodes, \(options.cells) cells of \(options.replicas) replicas, \
            \(options.clients) clients, \(options.duration / Nanoseconds.second) s with faults (\(options.faults.sorted().map(\.rawValue).joined(separator: ", ")))
            replay exactly: colony demo --seed \(simulation.seed) --duration \(options.duration / Nanoseconds.second) \
            --nodes \(options.nodes) --cells \(options.cells) --clients \(options.clients)
            """)
    }

    func render(_ simulation: Simulation) {
        let window = Nanoseconds.second
        let now = simulation.now
        let recent = simulation.completions.filter { $0.time + window > now }
        let writes = recent.filter(\.isWrite).count
        let reads = recent.count - writes
        let latencies = recent.map(\.latency).sorted()
        let time = String(format: "%5.1f s", Double(now) / 1e9)
        let latency = "p50 \(Format.milliseconds(percentile(latencies, 0.50))) · p99 \(Format.milliseconds(percentile(latencies, 0.99))) · p99.9 \(Format.milliseconds(percentile(latencies, 0.999)))"
        guard interactive else {
            print("\(time): \(writes) writes/s, \(reads) reads/s, latency \(latency), faults: \(simulation.faultsInForce.count)")
            return
        }
        var lines = ["t = \(time)   writes/s \(writes)   reads/s \(reads)   latency \(latency)"]
        let leaders = zip(simulation.nodeIDs, zip(simulation.leadersPerNode, simulation.nodesUp)).map { node, entry in
            entry.1 ? "\(node):\(entry.0)" : "\(node):down"
        }
        lines.append("leaders per node   " + leaders.joined(separator: "  "))
        let faults = simulation.faultsInForce
        lines.append("faults in force    " + (faults.isEmpty ? "none" : faults.joined(separator: " · ")))
        let log = simulation.faultLog.suffix(5).map { String(format: "%6.2f s  ", Double($0.time) / 1e9) + $0.description }
        lines.append("recent events:")
        lines.append(contentsOf: log + Array(repeating: "", count: 5 - log.count))
        redraw(lines)
    }

    private func redraw(_ lines: [String]) {
        var output = ""
        if linesDrawn > 0 {
            output += "\u{1B}[\(linesDrawn)A"
        }
        for line in lines {
            output += "\u{1B}[2K" + line + "\n"
        }
        linesDrawn = lines.count
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    func printVerdict(_ report: CheckReport, _ simulation: Simulation) {
        let statistics = simulation.statistics
        let latencies = simulation.completions.map(\.latency).sorted()
        print("""

            \(statistics.operations) operations: \(statistics.succeeded) ok, \(statistics.failed) failed (a compare-and-set \
            that found another value), \(statistics.unknown) unknown (timed out during faults)
            \(statistics.faultsInjected) faults injected, \(statistics.crashes) crashes, \(statistics.membershipChanges) \
            membership changes, \(statistics.leaderChanges) leader elections
            latency over the whole run: p50 \(Format.milliseconds(percentile(latencies, 0.5))), \
            p99 \(Format.milliseconds(percentile(latencies, 0.99))), p99.9 \(Format.milliseconds(percentile(latencies, 0.999)))
            """)
        if report.isLinearizable, statistics.violations.isEmpty {
            print("verdict: linearizable — \(report.operationCount) operations over \(report.partitionCount) keys and cells checked, no violation")
        } else {
            print("verdict: VIOLATION")
            print(report.description)
            statistics.violations.forEach { print($0) }
        }
    }
}

/// The value below which `fraction` of the sorted values lie.
func percentile(_ sorted: [UInt64], _ fraction: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))
    return sorted[index]
}
