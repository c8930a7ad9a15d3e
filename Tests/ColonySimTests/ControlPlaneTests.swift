import ColonyCheck
@_spi(Testing) import ColonyControl
import ColonyCore
@_spi(Testing) import ColonySim
import ColonyTestSupport
import Testing

/// The simulated control plane: drains, removals, additions and moves near a zone, carried
/// out through the cells' own logs with the placer while the workload and faults run.
@Suite("the simulated control plane")
struct ControlPlaneTests {
    /// The control actions with the faults that take nodes and links away.
    static let controlFaults: Set<FaultKind> = [.drain, .remove, .add, .moveNear, .move, .crash, .stop, .partition, .pause, .loss]

    /// 40 seeds, one at a time as every heavy test runs; the control actions must each have
    /// changed members somewhere among them.
    @Test("seeds that drain, remove and add nodes and move cells under faults are linearizable and keep a live majority")
    func controlActionsUnderFaults() async throws {
        var control = ControlStatistics()
        for seed in UInt64(1)...40 {
            let verdict = try await OwnThread.run(heavy: true) {
                try SimulationSupport.run(seed: seed, options: SimulationSupport.options(faults: Self.controlFaults))
            }
            #expect(!verdict.isViolation, "seed \(seed): \(verdict.report) \(verdict.statistics.violations)")
            #expect(verdict.report.unknownPartitions.isEmpty, "seed \(seed): the checker gave up")
            #expect(
                verdict.statistics.finalReadsAnswered == verdict.statistics.finalReads,
                "seed \(seed): \(verdict.statistics.finalReads - verdict.statistics.finalReadsAnswered) final reads went unanswered")
            control.add(verdict.statistics.control)
        }
        #expect(control.drains > 0 && control.drainChanges > 0, "drains ran: \(control)")
        #expect(control.removals > 0 && control.removalChanges > 0, "nodes were lost and their replicas re-placed: \(control)")
        #expect(control.additions > 0 && control.rebalanceChanges > 0, "spares joined and took replicas: \(control)")
        #expect(control.nearMoves > 0 && control.moves > 0 && control.targetChanges > 0, "cells moved toward targets: \(control)")
    }

    @Test("the same seed replays the same control actions, change for change")
    func sameSeedSameControl() throws {
        let options = SimulationSupport.options(faults: Self.controlFaults)
        var first = try Simulation(seed: 9, options: options)
        var second = try Simulation(seed: 9, options: options)
        first.run()
        second.run()
        #expect(first.faultLog == second.faultLog)
        #expect(first.statistics.control == second.statistics.control)
        #expect(HistoryCoding.encode(first.history) == HistoryCoding.encode(second.history))
        #expect((0..<options.cells).map { first.members(ofCell: $0) } == (0..<options.cells).map { second.members(ofCell: $0) })
    }

    @Test("a drain waits while another member of the cell is down, then leaves the node holding no member")
    func drainWaitsForALiveMajority() throws {
        let (simulation, drained) = try drainWhileAMemberIsDown(careless: false, after: 0)
        #expect(simulation.statistics.majorityViolations.isEmpty, "\(simulation.statistics.majorityViolations)")
        #expect(simulation.statistics.control.heldForLiveMajority >= 1)
        let emptied = simulation.faultLog.first { $0.description == "\(drained) drained: no cell has it as a member" }
        #expect(simulation.statistics.control.drainsCompleted == 1)
        #expect((emptied?.time ?? 0) >= Self.restartTime, "the drain finished only once the crashed member was back")
    }

    @Test("the majority checker catches a control plane that removes a live member while another member is down")
    func carelessControlIsCaught() throws {
        // Asked at once, the leader has not yet missed the crashed member, so its verdict
        // lets the change through: only the control plane's own guard could have held it back.
        let (simulation, _) = try drainWhileAMemberIsDown(careless: true, after: 0)
        let violation = try #require(simulation.statistics.majorityViolations.first, "the careless change is caught")
        #expect(!simulation.statistics.violations.isEmpty, "a majority violation fails the seed")
        // "cell NAME: the change ..." — that cell's leader let the change through unrefused.
        let cell = violation.dropFirst("cell ".count).prefix { $0 != ":" }
        #expect(!simulation.faultLog.contains { $0.description.contains("cell \(cell): replacing") && $0.description.contains("must wait") })
    }

    @Test("the leader refuses a careless control plane's change once it has missed a member, until the member is back")
    func leaderRefusesWhatWouldLoseTheMajority() throws {
        // A second after the crash the leader has heard nothing from the crashed member for
        // longer than an election timeout, so it counts it out and refuses the change.
        let (simulation, drained) = try drainWhileAMemberIsDown(careless: true, after: Nanoseconds.second)
        #expect(simulation.statistics.majorityViolations.isEmpty, "\(simulation.statistics.majorityViolations)")
        #expect(simulation.statistics.control.refusalsWouldLoseMajority >= 1)
        let emptied = simulation.faultLog.first { $0.description == "\(drained) drained: no cell has it as a member" }
        #expect(simulation.statistics.control.drainsCompleted == 1)
        #expect((emptied?.time ?? 0) >= Self.restartTime, "the drain finished only once the crashed member was back")
    }

    /// When the crashed member of `drainWhileAMemberIsDown` restarts: before the workload
    /// ends, since the control plane starts nothing after that.
    static let restartTime = 2_500 * Nanoseconds.millisecond

    /// Three-replica cells, no random faults, 4 s of workload: once the colony has settled
    /// and its control loop runs (1 s), a follower of cell 0 crashes and, `delay` later, the
    /// other follower is drained; the crashed follower restarts at `restartTime`. Without the
    /// control plane's guard (`Reconciler` rule 7), the drain replaces a live member while the
    /// crashed one is down, leaving one live member and one that has yet to join, unless the
    /// leader's verdict refuses it.
    private func drainWhileAMemberIsDown(careless: Bool, after delay: UInt64) throws -> (Simulation, NodeID) {
        var options = SimulationSupport.smallColony()
        if careless {
            options.controlDefects = [.removesWithoutMajorityGuard]
            // Asked at once, the leader must let the change through, so that the control
            // plane's own guard is the only one: awake (a leader woken from rest counts no
            // member live until it answers) and not yet missing the crashed member when the
            // change comes, up to 300 ms after the crash (so an election timeout of 500 ms,
            // which a second's delay still exceeds).
            options.replica.quiesceIdleTicks = .max
            options.replica.electionTimeoutTicks = 50
        }
        var simulation = try Simulation(seed: 5, options: options)
        simulation.run(until: Nanoseconds.second)
        let leader = try #require(simulation.leader(ofCell: 0), "cell 0 has a leader once settled")
        let followers = simulation.members(ofCell: 0).filter { $0 != leader }
        // The drained follower holds no replica of the directory, so cell 0's is the first
        // change the drain asks for, while the other follower is down (a move of the
        // directory would go first and might wait for the crashed node to come back).
        let drained = try #require(followers.first { !simulation.directoryMembers.contains($0) })
        let crashed = try #require(followers.first { $0 != drained })
        simulation.crash(crashed)
        simulation.run(until: simulation.now + delay)
        simulation.drain(drained)
        simulation.run(until: Self.restartTime)
        simulation.restart(crashed)
        simulation.run()
        return (simulation, drained)
    }
}
