import ColonyCore
import ColonyNodeCore
import ColonySim
import ColonyStorage
import Testing

/// A record holding a counter no cell reaches (a promise of round UInt64.max, as a node
/// before counters were bounded persisted from a hostile prepare) is damage, not a trap:
/// its cell recovers as damaged and the node runs on.
@Suite("recovery from absurd stored counters")
struct AbsurdCounterRecoveryTests {
    @Test("a persisted promise of round UInt64.max damages its cell, and the restarted node lives on")
    func absurdPromise() throws {
        let cell = CellID("victim")
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        log.append(.snapshot(CellState(configuration: configuration)), cell: cell)
        log.append(.promise(Ballot(epoch: 1, round: .max, node: NodeID(2))), cell: cell)
        try log.flush()

        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.cells[cell] == nil)
        let reason = try #require(recovery.damaged[cell])
        #expect(reason.contains("Ballot.round"))

        var core = NodeCore(
            node: NodeID(1), durable: recovery.cells, damaged: Set(recovery.damaged.keys), options: ReplicaOptions(),
            frameBytesMax: 1 << 20, seed: 5)
        for _ in 0..<1_000 {
            core.tick()
            if let append = core.takeEffects().append { core.durable(through: append.ticket) }
        }
        #expect(core.host.replica(cell)?.isDamaged == true, "it waits to be renewed and does not vote")
    }
}
