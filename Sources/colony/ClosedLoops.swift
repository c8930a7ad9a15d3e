import Foundation
import Histogram

/// Closed loops of callers, each running one operation at a time: the load the benchmarks
/// put on a colony (or on etcd) while they measure it.
enum ClosedLoops {
    /// Runs `callers` closed loops through `client` for `seconds` (or until `stopAfter`
    /// operations in all), each on a random cell of `names` (or, with `stopAfter`, on each
    /// in turn), and gathers their latencies, each caller's in a histogram of its own merged at
    /// the end; `showErrors` prints each caller's first error.
    static func measure(
        callers: Int, seconds: Double, stopAfter: Int? = nil, names: [String], client: BenchClient, showErrors: Bool,
        _ operation: @escaping @Sendable (BenchClient, String, Int) async throws -> Void
    ) async throws -> LoadFigures {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        let started = ContinuousClock.now
        let counter = OperationCounter(limit: stopAfter)
        let (latencies, errors) = try await withThrowingTaskGroup(of: (Histogram<UInt64>, Int).self) { group in
            for index in 0..<callers {
                group.addTask {
                    var latencies = LoadFigures.emptyLatencies()
                    var errors = 0
                    var random = SystemRandomNumberGenerator()
                    var next = index
                    while ContinuousClock.now < end, await counter.take() {
                        let cell = stopAfter == nil ? names[Int.random(in: 0..<names.count, using: &random)] : names[next % names.count]
                        next += callers
                        let before = ContinuousClock.now
                        do {
                            try await operation(client, cell, index)
                            let took = ContinuousClock.now - before
                            LoadFigures.record(
                                UInt64(took.components.seconds) * 1_000_000_000 + UInt64(took.components.attoseconds / 1_000_000_000), in: &latencies)
                        } catch {
                            if errors == 0, showErrors { print("  first error of a caller: \(error)") }
                            errors += 1
                        }
                    }
                    return (latencies, errors)
                }
            }
            var all = LoadFigures.emptyLatencies()
            var errors = 0
            for try await (latencies, failed) in group {
                all.add(latencies)
                errors += failed
            }
            return (all, errors)
        }
        let elapsed = ContinuousClock.now - started
        return LoadFigures(
            latencies: latencies, errors: errors,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
