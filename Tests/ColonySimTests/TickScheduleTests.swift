@_spi(Testing) import ColonyCore
import ColonySim
import ColonyTestSupport
import Testing

/// A host ticks each awake replica only at the tick its timers name (`TickSchedule`,
/// `CellReplica.ticksUntilDue`). With the audit on, every host also ticks a copy of each
/// replica it skips and notes any whose tick would have done something: over seeds with every
/// fault, none may.
@Suite("the tick schedule skips only ticks at which nothing is due")
struct TickScheduleTests {
    static func audited(defects: Set<Defect> = []) -> SimulationOptions {
        var options = SimulationSupport.mostlyIdleColony(defects: defects)
        options.replica.auditsTickSchedule = true
        return options
    }

    @Test("no replica skipped at a tick had anything to do, over seeds with every fault")
    func skippedTicksHadNothingDue() async throws {
        let options = Self.audited()
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.first(seeds: 1...12, options: options) { $0.isViolation }
        }
        #expect(verdict == nil, "seed \(verdict?.seed ?? 0): \(verdict?.statistics.violations.prefix(3) ?? [])")
    }

    @Test("a replica that names its due tick late is caught")
    func lateDueTickIsCaught() async throws {
        let options = Self.audited(defects: [.ticksDueLate])
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.first(seeds: 1...5, options: options) { !$0.statistics.skippedTicksThatActed.isEmpty }
        }
        #expect(verdict != nil, "no skipped tick that acted in 5 seeds with ticksDueLate")
    }
}
