import ColonyCheck
@_spi(Testing) import ColonyCore
import ColonySim
import ColonyTestSupport
import Testing

/// Swarm testing: each seed draws the colony's shape and the fault mix as well as the faults.
@Suite("swarm testing")
struct SwarmTests {
    @Test("every seed draws valid options, the same seed the same ones, and the draws cover the shapes")
    func swarmOptions() throws {
        var nodeCounts: Set<Int> = []
        var replicaCounts: Set<Int> = []
        var mixed = 0
        for seed in UInt64(1)...2_000 {
            let options = SimulationOptions.swarm(seed: seed)
            try options.validate()
            #expect(SimulationOptions.swarm(seed: seed).shapeDescription == options.shapeDescription)
            #expect(options.clients <= 16 * options.cells, "seed \(seed): more clients a cell than the checker decides")
            nodeCounts.insert(options.nodes)
            let counts = Set((0..<options.cells).map { options.replicas(ofCell: $0) })
            replicaCounts.formUnion(counts)
            if counts.count > 1 { mixed += 1 }
        }
        #expect(nodeCounts == Set(3...15))
        #expect(replicaCounts == [3, 5, 7, 9])
        #expect(mixed > 500, "many seeds mix replica counts")
    }

    /// A short slice for CI; `colony sim --swarm --seeds 1000` is the campaign.
    @Test("a slice of swarm seeds finds no violation and answers every final read", arguments: 0..<2)
    func swarmSlice(slice: UInt64) async throws {
        var base = SimulationOptions()
        base.duration = 2 * Nanoseconds.second
        // Every skipped tick audited too (see `TickScheduleTests`), in the swarm's shapes.
        base.replica.auditsTickSchedule = true
        for seed in (slice * 3 + 1)...(slice * 3 + 3) {
            let options = SimulationOptions.swarm(seed: seed, base: base)
            let verdict = try await OwnThread.run(heavy: true) {
                try SimulationSupport.run(seed: seed, options: options)
            }
            #expect(!verdict.isViolation, "seed \(seed) [\(options.shapeDescription)]: \(verdict.report) \(verdict.statistics.violations)")
            #expect(verdict.statistics.finalReadsAnswered == verdict.statistics.finalReads, "seed \(seed): final reads unanswered")
        }
    }

    /// Swarm seed 971: n9 went down 3 ms before the control plane sent a change of cell-92
    /// (n2, n7, n9) that its pass had decided while n9 was ready; the change took out n7.
    @Test("a member a fault takes between the control plane's listing and its request counts as the fault's")
    func faultBetweenListingAndRequest() async throws {
        var base = SimulationOptions()
        base.duration = 3 * Nanoseconds.second
        let options = SimulationOptions.swarm(seed: 971, base: base)
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.run(seed: 971, options: options)
        }
        #expect(verdict.statistics.majorityViolations.isEmpty, "\(verdict.statistics.majorityViolations)")
    }

    /// Swarm seed 270: n8 was lost for good while cell-102 (n2, n7, n8) waited for n7, just
    /// added by a drain, to be renewed: n2 alone voted, and the cell could never commit again.
    @Test("the faults lose no node for good that a cell needs for a majority that votes, whatever the control plane is changing")
    func noNodeLostThatACellNeeds() async throws {
        var base = SimulationOptions()
        base.duration = 7 * Nanoseconds.second
        let options = SimulationOptions.swarm(seed: 270, base: base)
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.run(seed: 270, options: options)
        }
        #expect(verdict.statistics.unansweredFinalReads.isEmpty, "\(verdict.statistics.unansweredFinalReads)")
        #expect(!verdict.isViolation, "\(verdict.report) \(verdict.statistics.violations)")
    }
}
