import ColonyCore
@_spi(Testing) import ColonySim
import Testing

/// After the faults heal, fresh clients read every key of every cell once: a cell that
/// cannot answer one of them fails the seed, as a lost write would.
@Suite("the simulator's final reads")
struct FinalReadTests {
    @Test("a final read left unanswered is a violation of the seed")
    func unansweredFinalReadFailsTheSeed() throws {
        let options = SimulationSupport.options(faults: [])
        var simulation = try Simulation(seed: 5, options: options)
        // The workload is over and every fault has healed; the final reads start at
        // `duration + operationDeadline`. Cell 0 (and any cell placed mostly on the same
        // nodes) loses a majority for good before them.
        simulation.run(until: options.duration + options.operationDeadline / 2)
        for member in simulation.members(ofCell: 0).prefix(4) { simulation.crash(member) }
        let statistics = simulation.run()
        let unanswered = statistics.finalReads - statistics.finalReadsAnswered
        let cellZero = statistics.unansweredFinalReads.filter { $0.hasPrefix("final read of cell-0 key ") }
        #expect(cellZero.count == options.keysPerCell)
        #expect(statistics.unansweredFinalReads.count == unanswered)
        #expect(statistics.violations == statistics.unansweredFinalReads)
    }

    @Test("nodes frozen past the end of the workload resume when the faults heal, and answer the final reads")
    func pausedNodesResumeAtTheHeal() throws {
        let options = SimulationSupport.options(faults: [])
        var simulation = try Simulation(seed: 5, options: options)
        // A majority of cell 0 frozen until long after the run: only the heal wakes them.
        simulation.run(until: options.duration / 2)
        for member in simulation.members(ofCell: 0).prefix(4) { simulation.pause(member, for: 2 * simulation.endTime) }
        let statistics = simulation.run()
        #expect(statistics.unansweredFinalReads.isEmpty)
        #expect(statistics.finalReadsAnswered == statistics.finalReads)
    }
}
