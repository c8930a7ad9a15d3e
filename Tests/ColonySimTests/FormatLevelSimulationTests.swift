import ColonyCheck
import ColonyCore
import ColonySim
import ColonyTestSupport
import Testing

/// The format level raised in the middle of simulated runs, node by node, with every fault on:
/// frames of both levels cross, logs hold segments of both, nodes crash and recover on them.
@Suite("the format level raised mid-run under the simulator's faults")
struct FormatLevelSimulationTests {
    @Test("10 seeds raising the level at 1.5 s find no violation, and frames of level 2 are delivered in every one")
    func raisedUnderFaults() async throws {
        var raising = SimulationSupport.options()
        raising.formatRaisedAt = 1_500 * Nanoseconds.millisecond
        let options = raising
        for seed in UInt64(1)...10 {
            let verdict = try await OwnThread.run(heavy: true) {
                try SimulationSupport.run(seed: seed, options: options)
            }
            #expect(!verdict.isViolation, "seed \(seed): \(verdict.report) \(verdict.statistics.violations)")
            #expect(verdict.statistics.framesOfLevelTwo > 0, "seed \(seed): no frame of level 2 was delivered")
            #expect(verdict.statistics.framesOfLevelTwo < verdict.statistics.framesDelivered, "seed \(seed): no frame of level 1 was delivered")
        }
    }
}
