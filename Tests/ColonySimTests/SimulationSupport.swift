import ColonyCheck
@_spi(Testing) import ColonyCore
import ColonySim

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

    /// Many cells and few clients, so most cells rest (quiescent) most of the time while
    /// the faults run: 9 nodes, 40 cells of 5 replicas, 3 clients.
    static func mostlyIdleColony(defects: Set<Defect> = []) -> SimulationOptions {
        var options = options(defects: defects)
        options.cells = 40
        options.replicas = 5
        options.clients = 3
        options.duration = 4 * Nanoseconds.second
        return options
    }

    /// A small colony without faults, for scenarios a test plays step by step: 5 nodes, all
    /// in use, 2 cells of 3 replicas, 4 simulated seconds.
    static func smallColony() -> SimulationOptions {
        var options = options(faults: [])
        options.nodes = 5
        options.spareNodes = 0
        options.replicas = 3
        options.cells = 2
        options.duration = 4 * Nanoseconds.second
        return options
    }

    /// What one seed came to: whether its history and replicas were consistent.
    struct Verdict: Sendable {
        var seed: UInt64
        var statistics: SimulationStatistics
        var report: CheckReport

        var isViolation: Bool { !report.violations.isEmpty || !statistics.violations.isEmpty }

        /// Whether the run broke safety, not only liveness: a history that is not
        /// linearizable, replicas that disagree on a chosen slot, or a node that recovered
        /// less than it had acted on. (An unanswered final read alone is a liveness failure.)
        var isSafetyViolation: Bool {
            !report.violations.isEmpty || !statistics.agreementViolations.isEmpty || !statistics.durabilityViolations.isEmpty
        }
    }

    static func run(seed: UInt64, options: SimulationOptions) throws -> Verdict {
        var simulation = try Simulation(seed: seed, options: options)
        let statistics = simulation.run()
        return Verdict(seed: seed, statistics: statistics, report: LinearizabilityChecker().check(simulation.history))
    }

    /// The first seed in `seeds` whose run breaks safety, if any.
    static func firstSafetyViolation(seeds: ClosedRange<UInt64>, options: SimulationOptions) throws -> Verdict? {
        try first(seeds: seeds, options: options, where: \.isSafetyViolation)
    }

    /// The first seed in `seeds` whose verdict satisfies `condition`, if any.
    static func first(
        seeds: ClosedRange<UInt64>, options: SimulationOptions, where condition: (Verdict) -> Bool
    ) throws -> Verdict? {
        for seed in seeds {
            let verdict = try run(seed: seed, options: options)
            if condition(verdict) { return verdict }
        }
        return nil
    }
}
