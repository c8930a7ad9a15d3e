@_spi(Testing) import ColonyCore
import ColonySim
import ColonyTestSupport
import Testing

/// Each safety mechanism of the core, switched off, must be caught: a harness that cannot
/// fail proves nothing. (Sending before the log is durable is caught by the simulator's own
/// check that a node recovers every record it acted on.) (Forgotten promises and lost disks do harm only in a narrow window
/// after a crash; `PromisePersistenceTests` in ColonyCoreTests walks straight into it instead.)
@Suite("the simulator catches a deliberately broken core")
struct DefectDetectionTests {
    static let caughtBySimulation = Defect.allCases.filter { $0 != .promisesNotPersisted && $0 != .emptyReplicasVote }

    @Test("each defect is caught within a few hundred seeds", arguments: caughtBySimulation)
    func defectIsCaught(_ defect: Defect) async throws {
        let options = SimulationSupport.options(defects: [defect])
        let verdict = try await OwnThread.run(heavy: true) {
            try SimulationSupport.firstViolation(seeds: 1...600, options: options)
        }
        #expect(verdict != nil, "no violation in 600 seeds with \(defect)")
    }
}
