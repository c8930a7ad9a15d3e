@_spi(Testing) import ColonyCore
@_spi(Testing) import ColonySim
@_spi(Testing) import ColonyStorage
import ColonyTestSupport
import Testing

/// Each safety mechanism of the core, switched off, must be caught as a safety violation (a
/// history that is not linearizable, replicas that disagree, or a node that recovered less
/// than it acted on), not merely as a cell that stopped answering: a harness that cannot fail
/// proves nothing. (Sending before the log is durable — the node core's gate, the same for
/// the real node — is caught by the simulator's check that a node recovers every record it
/// acted on.) (Forgotten promises and lost disks do harm only in a narrow window
/// after a crash; `PromisePersistenceTests` in ColonyCoreTests walks straight into it instead.
/// A forced heal without its floor does harm only when an operator forces a replica while a
/// stale leader lives; `ForcedHealTests` in ColonyCoreTests plays that. A leader that counts
/// its own vote before it is written does harm only if it crashes within that fsync, with its
/// vote the one that made the majority and the followers that voted cut off from the next;
/// `UnwrittenLeaderVoteTests` in ColonyNodeCoreTests plays that. A leader that rests before
/// its restarted members answer leaves damaged members without anyone to fetch from, a
/// liveness failure; `RestartedMemberTests` in ColonyNodeCoreTests plays that. A replica that
/// names its next due tick late only delays its timers; `TickScheduleTests` audits every
/// skipped tick for it.)
@Suite("the simulator catches a deliberately broken core")
struct DefectDetectionTests {
    static let caughtBySimulation = Defect.allCases.filter {
        $0 != .promisesNotPersisted && $0 != .emptyReplicasVote && $0 != .forcedHealWithoutFloor
            && $0 != .quiescentFollowersTrustDeadLeader && $0 != .countsOwnVoteBeforeDurable
            && $0 != .leaderRestsBeforeRestartedMemberAnswers && $0 != .creationAskedAgainTellsNoOne
            && $0 != .ticksDueLate
    }

    @Test("each defect is caught within a few hundred seeds", arguments: caughtBySimulation)
    func defectIsCaught(_ defect: Defect) async throws {
        let options = defect == .quiescentReadsSkipConfirmation
            ? SimulationSupport.mostlyIdleColony(defects: [defect]) : SimulationSupport.options(defects: [defect])
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.firstSafetyViolation(seeds: 1...600, options: options)
        }
        #expect(verdict != nil, "no safety violation in 600 seeds with \(defect)")
    }

    /// A follower that keeps trusting a quiescent leader whose node died or restarted leaves
    /// its cell without a leader until a request comes: a liveness failure, which the
    /// simulator's check before the final reads catches.
    @Test("followers that keep trusting a dead quiescent leader are caught within a few hundred seeds")
    func followersTrustingDeadLeaderAreCaught() async throws {
        let options = SimulationSupport.mostlyIdleColony(defects: [.quiescentFollowersTrustDeadLeader])
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.first(seeds: 1...300, options: options) { !$0.statistics.staleQuiescentTrust.isEmpty }
        }
        #expect(verdict != nil, "no follower left trusting a dead leader in 300 seeds")
    }

    /// Recovery blind to commit markers cuts a damaged last flush as if it were torn, and
    /// with it records the node acknowledged: the node recovers less than it acted on.
    @Test("recovery that takes every bad tail for a torn write is caught within a few hundred seeds")
    func everyBadTailIsTornIsCaught() async throws {
        var defective = SimulationSupport.options(faults: [.corrupt, .crash, .partition])
        defective.storageDefects = [.everyBadTailIsTorn]
        let options = defective
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.firstSafetyViolation(seeds: 1...600, options: options)
        }
        #expect(verdict != nil, "no safety violation in 600 seeds with recovery that takes every bad tail for torn")
    }
}
