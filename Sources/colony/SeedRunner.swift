import ColonyCheck
import ColonyCore
import ColonySim
import Dispatch
import Foundation

/// What one seed's run and check came to.
struct SeedOutcome: Sendable {
    var seed: UInt64
    /// The options the seed ran with (its own, under swarm testing).
    var options: SimulationOptions
    var statistics: SimulationStatistics
    var report: CheckReport
    var historyWriteError: String?

    var passed: Bool {
        report.isLinearizable && statistics.violations.isEmpty && historyWriteError == nil
    }

    /// One line: what failed.
    var summary: String {
        var parts: [String] = []
        for violation in report.violations {
            parts.append("not linearizable: cell \(violation.cell)" + (violation.key.map { " key \($0)" } ?? ""))
        }
        for unknown in report.unknownPartitions {
            parts.append("check gave up: \(unknown)")
        }
        if let invalid = report.invalidHistory {
            parts.append("invalid history: \(invalid)")
        }
        parts.append(contentsOf: statistics.violations)
        if let historyWriteError {
            parts.append(historyWriteError)
        }
        return parts.joined(separator: "; ")
    }
}

/// Runs seeds on several threads, each seed a whole simulation plus its check.
struct SeedRunner: Sendable {
    let options: SimulationOptions
    /// Whether each seed draws its own shape and fault mix from `options` (swarm testing).
    let swarm: Bool
    let historyDirectory: String?

    /// Runs every seed; `onOutcome` is called in seed order as results become available.
    func run(seeds: Range<UInt64>, jobs: Int, onOutcome: (SeedOutcome) -> Void) -> [SeedOutcome] {
        let results = ResultSlots(count: seeds.count)
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<min(jobs, seeds.count) {
            DispatchQueue.global().async(group: group) {
                while let index = next.take(below: seeds.count) {
                    results.store(runOne(seeds.lowerBound + UInt64(index)), at: index)
                }
            }
        }
        var outcomes: [SeedOutcome] = []
        for index in 0..<seeds.count {
            let outcome = results.wait(for: index)
            onOutcome(outcome)
            outcomes.append(outcome)
        }
        group.wait()
        return outcomes
    }

    private func runOne(_ seed: UInt64) -> SeedOutcome {
        let options = swarm ? SimulationOptions.swarm(seed: seed, base: options) : options
        // Valid options were checked before any seed ran; swarm options are valid by construction.
        guard var simulation = try? Simulation(seed: seed, options: options) else {
            preconditionFailure("Invalid state: simulation options changed after validation")
        }
        let statistics = simulation.run()
        let history = simulation.history
        let report = LinearizabilityChecker().check(history)
        var writeError: String?
        if let historyDirectory {
            let path = "\(historyDirectory)/seed-\(seed).jsonl"
            do {
                try HistoryCoding.encode(history).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                writeError = "could not write \(path): \(error.localizedDescription)"
            }
        }
        return SeedOutcome(seed: seed, options: options, statistics: statistics, report: report, historyWriteError: writeError)
    }
}

/// A shared counter handing out work items once each.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}

/// One slot per seed, filled by workers and read in order by the printer.
private final class ResultSlots: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [SeedOutcome?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func store(_ outcome: SeedOutcome, at index: Int) {
        condition.lock()
        slots[index] = outcome
        condition.broadcast()
        condition.unlock()
    }

    func wait(for index: Int) -> SeedOutcome {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let outcome = slots[index] { return outcome }
            condition.wait()
        }
    }
}

/// The closing lines of `colony sim`.
struct SimulationSummary: CustomStringConvertible {
    let outcomes: [SeedOutcome]
    let wallSeconds: Double

    var failedSeeds: Int { outcomes.filter { !$0.passed }.count }

    var description: String {
        let statistics = outcomes.map(\.statistics)
        let operations = statistics.reduce(0) { $0 + $1.operations }
        let succeeded = statistics.reduce(0) { $0 + $1.succeeded }
        let failed = statistics.reduce(0) { $0 + $1.failed }
        let unknown = statistics.reduce(0) { $0 + $1.unknown }
        let refused = statistics.reduce(0) { $0 + $1.connectionsRefused }
        let faults = statistics.reduce(0) { $0 + $1.faultsInjected }
        let crashes = statistics.reduce(0) { $0 + $1.crashes }
        let stops = statistics.reduce(0) { $0 + $1.stops }
        let leaders = statistics.reduce(0) { $0 + $1.leaderChanges }
        let moves = statistics.reduce(0) { $0 + $1.membershipChanges }
        let fsyncs = statistics.reduce(0) { $0 + $1.fsyncs }
        let torn = statistics.reduce(0) { $0 + $1.tornWrites }
        let corruptions = statistics.reduce(0) { $0 + $1.corruptions }
        let damaged = statistics.reduce(0) { $0 + $1.damagedReplicas }
        let renewals = statistics.reduce(0) { $0 + $1.renewals }
        let control = statistics.reduce(into: ControlStatistics()) { $0.add($1.control) }
        let majorityViolations = statistics.reduce(0) { $0 + $1.majorityViolations.count }
        let finalReads = statistics.reduce(0) { $0 + $1.finalReads }
        let finalAnswered = statistics.reduce(0) { $0 + $1.finalReadsAnswered }
        let resting = statistics.reduce(0) { $0 + $1.restingReplicasAtEnd }
        let replicasAtEnd = statistics.reduce(0) { $0 + $1.replicasAtEnd }
        let staleTrust = statistics.reduce(0) { $0 + $1.staleQuiescentTrust.count }
        let violations = outcomes.reduce(0) { $0 + $1.report.violations.count + $1.statistics.violations.count }
        let simulated = Double(statistics.reduce(0) { $0 + $1.simulatedNanoseconds }) / 1e9
        let ratio = wallSeconds > 0 ? simulated / wallSeconds : 0
        return """
            \(outcomes.count) seeds, \(failedSeeds) failed, \(violations) violations
            operations: \(operations) (\(succeeded) ok, \(failed) fail, \(unknown) info); \(refused) attempts met a down node's refused connection
            faults injected: \(faults) (\(crashes) crashes, \(stops) stops with hand-off, \(moves) membership changes applied); leader changes: \(leaders)
            operator: \(control.drains) drains (\(control.drainsCompleted) nodes left empty, \(control.returns) activated again), \(control.removals) nodes lost and declared gone (\(control.removalsCompleted) with every replica re-placed), \(control.additions) spare nodes joined, \(control.nearMoves) cells moved near a zone, \(control.moves) moved off a member and back
            control loop: \(control.movesStarted) moves started, \(control.movesFinished) finished; changes applied: \(control.drainChanges) off draining nodes, \(control.removalChanges) off gone nodes, \(control.targetChanges) toward targets, \(control.rebalanceChanges) rebalancing; \(control.heldForLiveMajority) held back a pass to keep a live majority, \(control.changesAbandoned) unanswered (asked again); \(majorityViolations) left a cell without a live majority
            leaders refused: \(control.refusalsWouldLoseMajority) changes that would leave fewer than a majority live, \(control.refusalsChangeInFlight) with another change in flight, \(control.refusalsStaleEpoch) decided at a stale epoch (each decided again later)
            quiescence: \(resting) of \(replicasAtEnd) replicas at rest before the final reads; \(staleTrust) trusted a leader that could no longer lead
            final reads after healing: \(finalAnswered) of \(finalReads) answered (an acknowledged write lost would fail one)
            storage: \(fsyncs) fsyncs, \(torn) torn writes cut at recovery, \(corruptions) bits flipped, \(damaged) replicas found damaged, \(renewals) replicas renewed
            simulated \(Format.seconds(simulated)) in \(Format.seconds(wallSeconds)) of wall time: \(Format.ratio(ratio)) faster than real time
            """
    }
}
