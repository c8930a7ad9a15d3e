import ColonyCheck
@_spi(Testing) import ColonyCore
@_spi(Testing) import ColonySim
import Testing

/// A peer holding a member's certificate sends what no honest replica would. The colony of
/// the simulator, running the production node core, neither traps nor lets it reach past
/// the cell it names.
@Suite("a hostile peer in the simulated colony")
struct HostilePeerTests {
    @Test("ballot rounds near UInt64.max from a member crash no node, and the cell keeps its leader and its history")
    func absurdRounds() throws {
        var simulation = try Simulation(seed: 11, options: SimulationSupport.smallColony())
        simulation.run(until: Nanoseconds.second)
        let leader = try #require(simulation.leader(ofCell: 0), "cell 0 has a leader once settled")
        let leading = try #require(simulation.promise(ofCell: 0, at: leader))
        let followers = simulation.members(ofCell: 0).filter { $0 != leader }
        let cell = simulation.cell(0)
        // The fuzz run's frame: a prepare of round UInt64.max, which a decoder refuses.
        let prepare = PeerMessageBody.prepare(Ballot(epoch: leading.epoch, round: .max, node: followers[0]), fromSlot: 1)
        simulation.inject(PeerMessage(cell: cell, body: prepare), from: followers[0], to: followers[1])
        // The largest round a decoder takes, straight to the leader: its replica drops it.
        let highest = Ballot(epoch: leading.epoch, round: CounterBounds.decodedMax, node: followers[0])
        simulation.inject(PeerMessage(cell: cell, body: .reject(attempted: leading, promised: highest)), from: followers[0], to: leader)
        let statistics = simulation.run()

        #expect(statistics.refusedFrames.count == 1, "the prepare's frame, refused at decode: \(statistics.refusedFrames)")
        #expect(statistics.agreementViolations.isEmpty && statistics.durabilityViolations.isEmpty && statistics.unansweredFinalReads.isEmpty)
        #expect(LinearizabilityChecker().check(simulation.history).violations.isEmpty)
        #expect(simulation.promise(ofCell: 0, at: followers[1]).map { $0.round < CounterBounds.adoptedMax } == true)
        #expect(simulation.leader(ofCell: 0) != nil, "the cell still has a leader")
    }

    @Test("a node that is not a member cannot hand a cell's replicas a state, chosen entries or a deletion")
    func strangersCannotReplaceState() throws {
        var simulation = try Simulation(seed: 12, options: SimulationSupport.smallColony())
        simulation.run(until: Nanoseconds.second)
        let leader = try #require(simulation.leader(ofCell: 0), "cell 0 has a leader once settled")
        let members = simulation.members(ofCell: 0)
        let follower = try #require(members.first { $0 != leader })
        let stranger = try #require((1...5).map { NodeID(UInt32($0)) }.first { !members.contains($0) })
        let held = try #require(simulation.replica(ofCell: 0, at: leader)?.state)
        let applied = held.appliedThrough
        let ballot = try #require(simulation.promise(ofCell: 0, at: leader))
        let cell = simulation.cell(0)
        // Far ahead of anything the cell will reach in the run, so taking any of them shows.
        let forgedSlot = applied + 1_000_000
        var emptied = held.configuration
        emptied.startSlot = forgedSlot + 1
        let forged: [PeerMessageBody] = [
            .snapshot(CellState(configuration: emptied)),
            .catchUpEntries([SlotEntry(slot: applied + 1, entry: LogEntry(ballot: ballot, batch: [.noop], isChosen: true))], commit: forgedSlot),
            .cellDeleted(CellTombstone(configuration: held.configuration, slot: forgedSlot, revision: 0)),
        ]
        for body in forged {
            for target in [leader, follower] {
                simulation.inject(PeerMessage(cell: cell, body: body), from: stranger, to: target)
            }
        }
        let statistics = simulation.run()

        #expect(statistics.agreementViolations.isEmpty && statistics.durabilityViolations.isEmpty)
        #expect(statistics.unansweredFinalReads.isEmpty, "\(statistics.unansweredFinalReads)")
        #expect(LinearizabilityChecker().check(simulation.history).violations.isEmpty)
        for member in members {
            let replica = try #require(simulation.replica(ofCell: 0, at: member))
            #expect(replica.tombstone == nil, "node \(member)'s replica took a stranger's deletion")
            #expect(replica.appliedThrough < forgedSlot, "node \(member)'s replica took a stranger's state")
        }
    }
}
