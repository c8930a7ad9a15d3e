@_spi(Testing) import ColonyCore
import ColonySim
import Testing

/// The simulator crashes nodes at random, but the window in which a forgotten promise does
/// harm is narrow; this scenario walks straight into it, so it fails at once if promises are
/// not persisted.
@Suite("promises survive a restart, and a lost disk does not vote")
struct PromisePersistenceTests {
    /// A leads with an old ballot and is frozen away; B wins C's promise and proposes, but C
    /// never gets that proposal; C restarts (or, with `wipeDisk`, comes back empty and fetches
    /// the cell from A); A wakes, still believing it leads, and asks C to accept its own value
    /// for the same slot.
    func play(defects: Set<Defect>, wipeDisk: Bool = false) throws -> [NodeID: Batch] {
        var options = ReplicaOptions()
        options.defects = defects
        var cell = try Scenario.cell(3, options: options)
        let a = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "first", client: 1, sequence: 1), to: a)
        // Let every replica apply it, so the next leader has nothing to re-propose.
        for _ in 0..<ReplicaOptions().heartbeatIntervalTicks { cell.tick() }
        let slot = try #require(cell.replicas[a]?.appliedThrough) + 1
        let others = cell.nodes.filter { $0 != a }
        cell.frozen = [a]
        cell.isolated = [a]
        let b = try Scenario.leader(&cell)
        let c = try #require(others.first { $0 != b })
        cell.cutLinks = [[b, c]]
        cell.submit(Scenario.put("k", "from-b", client: 2, sequence: 1), to: b)
        cell.frozen = []
        cell.isolated = []
        if wipeDisk {
            // C comes back empty and, hearing only A, fetches the cell from A.
            cell.wipe(c)
            cell.cutLinks = [[b, c], [c, b], [a, b], [b, a]]
            for _ in 0..<2 * ReplicaOptions().heartbeatIntervalTicks { cell.tick() }
        } else {
            cell.restart(c)
        }
        cell.cutLinks = [[b, c], [a, b], [b, a]]
        cell.submit(Scenario.put("k", "from-a", client: 3, sequence: 1), to: a)
        cell.cutLinks = []
        for _ in 0..<20 { cell.tick() }
        return cell.appliedBatches(at: slot)
    }

    @Test("a restarted acceptor still refuses the ballot it promised to outrank")
    func promisesArePersisted() throws {
        let batches = try play(defects: [])
        #expect(Set(batches.values).count == 1, "replicas applied different batches at one slot: \(batches)")
    }

    @Test("a replica whose disk was wiped fetches the cell but does not vote until renewed")
    func wipedReplicaWaitsForRenewal() throws {
        let batches = try play(defects: [], wipeDisk: true)
        #expect(Set(batches.values).count == 1, "replicas applied different batches at one slot: \(batches)")
    }

    @Test("if a wiped replica voted at once, the same scenario would choose two values for one slot")
    func wipedReplicaVotingBreaksAgreement() throws {
        let batches = try play(defects: [.emptyReplicasVote], wipeDisk: true)
        #expect(Set(batches.values).count > 1, "the defect went unnoticed: \(batches)")
    }

    @Test("with promises not persisted, the same scenario chooses two values for one slot")
    func forgettingPromisesBreaksAgreement() throws {
        let batches = try play(defects: [.promisesNotPersisted])
        #expect(Set(batches.values).count > 1, "the defect went unnoticed: \(batches)")
    }
}
