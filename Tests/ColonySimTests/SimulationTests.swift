import ColonyCheck
import ColonyCore
import ColonySim
import ColonyTestSupport
import Testing

@Suite("the simulated colony")
struct SimulationTests {
    /// 300 seeds in ten slices of 30, so the slices run in parallel.
    @Test("300 seeds with every fault on and 7-replica cells find no violation", arguments: 0..<10)
    func manySeedsAreLinearizable(slice: UInt64) async throws {
        var operations = 0
        var faults = 0
        for seed in (slice * 30 + 1)...(slice * 30 + 30) {
            let verdict = try await OwnThread.run(heavy: true) {
                try SimulationSupport.run(seed: seed, options: SimulationSupport.options())
            }
            #expect(!verdict.isViolation, "seed \(seed): \(verdict.report) \(verdict.statistics.violations)")
            #expect(verdict.report.unknownPartitions.isEmpty, "seed \(seed): the checker gave up")
            operations += verdict.statistics.operations
            faults += verdict.statistics.faultsInjected
        }
        #expect(operations > 30 * 100, "the workload ran")
        #expect(faults > 30 * 3, "faults were injected")
    }

    @Test("the same seed replays the same run, byte for byte")
    func sameSeedSameRun() throws {
        var first = try Simulation(seed: 42, options: SimulationSupport.options())
        var second = try Simulation(seed: 42, options: SimulationSupport.options())
        first.run()
        second.run()
        #expect(HistoryCoding.encode(first.history) == HistoryCoding.encode(second.history))
        #expect(first.faultLog == second.faultLog)
        var other = try Simulation(seed: 43, options: SimulationSupport.options())
        other.run()
        #expect(HistoryCoding.encode(first.history) != HistoryCoding.encode(other.history))
    }

    @Test("the recorded history is a valid history")
    func historyIsValid() throws {
        var simulation = try Simulation(seed: 7, options: SimulationSupport.options())
        simulation.run()
        let text = HistoryCoding.encode(simulation.history)
        #expect(try HistoryCoding.parse(text) == simulation.history)
    }

    @Test("without faults every operation completes")
    func noFaultsNoUnknowns() throws {
        let verdict = try SimulationSupport.run(seed: 3, options: SimulationSupport.options(faults: []))
        #expect(!verdict.isViolation)
        #expect(verdict.statistics.unknown == 0)
        #expect(verdict.statistics.operations > 100)
    }

    @Test("bad options are refused with a message naming the option")
    func badOptions() {
        var options = SimulationSupport.options()
        options.replicas = 4
        #expect(throws: SimulationOptionsError.self) { try Simulation(seed: 1, options: options) }
        options.replicas = 9
        options.nodes = 7
        #expect((try? options.validate()) == nil)
        #expect(throws: FaultListError.unknown("fire")) { try FaultKind.parseList("crash,fire") }
        #expect((try? FaultKind.parseList("all")) == Set(FaultKind.allCases))
    }
}
