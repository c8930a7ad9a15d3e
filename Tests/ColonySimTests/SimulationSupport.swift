import ColonyCheck
@_spi(Testing) import ColonyCore
import ColonySim
import Foundation

/// Small runs, sized for debug builds: a 9-node colony, 7-replica cells, a few seconds.
enum SimulationSupport {
    static func options(faults: Set<FaultKind> = Set(FaultKind.allCases), defects: Set<Defect> = []) -> SimulationOptions {
        var options = SimulationOptions()
        options.nodes = 9
        options.replicas = 7
        options.cells = 6
        options.clients = 6
        options.keysPerCell = 3
        options.transactionCellEvery = 3
        options.duration = 3 * Nanoseconds.second
        options.faults = faults
        options.replica.defects = defects
        return options
    }

    /// What one seed came to: whether its history and replicas were consistent.
    struct Verdict: Sendable {
        var seed: UInt64
        var statistics: SimulationStatistics
        var report: CheckReport

        var isViolation: Bool { !report.violations.isEmpty || !statistics.violations.isEmpty }
    }

    static func run(seed: UInt64, options: SimulationOptions) throws -> Verdict {
        var simulation = try Simulation(seed: seed, options: options)
        let statistics = simulation.run()
        return Verdict(seed: seed, statistics: statistics, report: LinearizabilityChecker().check(simulation.history))
    }

    /// Runs CPU-bound work on a thread of its own and awaits it, so minutes of seeds do not
    /// hold the cooperative pool that suites running beside them (the multi-process test's
    /// clients and timers) need to make progress.
    static func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// The first seed in `seeds` whose run shows a violation, if any.
    static func firstViolation(seeds: ClosedRange<UInt64>, options: SimulationOptions) throws -> Verdict? {
        for seed in seeds {
            let verdict = try run(seed: seed, options: options)
            if verdict.isViolation { return verdict }
        }
        return nil
    }
}
