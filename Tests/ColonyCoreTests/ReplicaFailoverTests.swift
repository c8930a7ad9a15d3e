import ColonyCore
import ColonySim
import Testing

@Suite("a cell's replicas when things fail")
struct ReplicaFailoverTests {
    @Test("a leader cut off from the majority cannot commit, and steps down")
    func isolatedLeaderCannotCommit() throws {
        var cell = try Scenario.cell(5)
        let oldLeader = try Scenario.leader(&cell)
        cell.isolated = [oldLeader]
        cell.submit(Scenario.put("k", "lost", sequence: 1), to: oldLeader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 1)) == nil)
        let newLeader = try Scenario.leader(&cell)
        #expect(newLeader != oldLeader)
        cell.submit(Scenario.put("k", "kept", client: 2, sequence: 1), to: newLeader)
        for _ in 0..<40 { cell.tick() }
        #expect(cell.replicas[oldLeader]?.isLeader == false, "check-quorum made it step down")
        cell.isolated = []
        for _ in 0..<40 { cell.tick() }
        let leader = try #require(cell.leaders.first)
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "kept")
    }

    @Test("a value accepted by a majority survives the leader's death, even unanswered")
    func acceptedValuesSurvive() throws {
        var cell = try Scenario.cell(5)
        let oldLeader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1", sequence: 1), to: oldLeader)
        // The next write reaches the followers, but its acknowledgements never come back.
        for node in cell.nodes where node != oldLeader {
            cell.cutLinks.insert([node, oldLeader])
        }
        cell.submit(Scenario.put("k", "v2", sequence: 2), to: oldLeader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 2)) == nil)
        cell.isolated = [oldLeader]
        let newLeader = try Scenario.leader(&cell)
        cell.submit(Scenario.get("k", sequence: 1), to: newLeader)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v2")
        // The client's retry learns the outcome without writing twice.
        cell.submit(Scenario.put("k", "v2", sequence: 2), to: newLeader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 2))?.outcome == .completed(.success(.written(version: 2))))
    }

    @Test("a restarted replica keeps its promise and what it accepted")
    func restartKeepsDurableState() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        let follower = try #require(cell.nodes.first { $0 != leader })
        let promised = try #require(cell.replicas[follower]?.promised)
        cell.restart(follower)
        #expect(cell.replicas[follower]?.promised == promised)
        for _ in 0..<20 { cell.tick() }
        cell.submit(Scenario.get("k", sequence: 1, consistency: .stale), to: follower)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v1")
    }

    @Test("a whole cell restarted at once loses no acknowledged write")
    func everyoneRestarts() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        for sequence in 1...5 {
            cell.submit(Scenario.put("k\(sequence)", "v\(sequence)", sequence: UInt64(sequence)), to: leader)
        }
        for node in cell.nodes { cell.restart(node) }
        let newLeader = try Scenario.leader(&cell)
        for sequence in 1...5 {
            cell.submit(Scenario.get("k\(sequence)", sequence: UInt64(sequence)), to: newLeader)
            #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: UInt64(sequence)))) == "v\(sequence)")
        }
    }

    @Test("a replica far behind catches up from a snapshot")
    func catchUpBySnapshot() throws {
        var options = ReplicaOptions()
        options.snapshotIntervalSlots = 4
        options.logSlotsMax = 64
        var cell = try Scenario.cell(3, options: options)
        let leader = try Scenario.leader(&cell)
        let lagging = try #require(cell.nodes.first { $0 != leader })
        cell.isolated = [lagging]
        for sequence in 1...20 {
            cell.submit(Scenario.put("k", "v\(sequence)", sequence: UInt64(sequence)), to: leader)
        }
        cell.isolated = []
        for _ in 0..<30 { cell.tick() }
        #expect(cell.events.contains { $0.node == lagging && $0.event == .installedSnapshot(appliedThrough: $0.event.snapshotSlot ?? 0) })
        cell.submit(Scenario.get("k", sequence: 1, consistency: .stale), to: lagging)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v20")
    }
}

extension ReplicaEvent {
    var snapshotSlot: Slot? {
        if case .installedSnapshot(let slot) = self { return slot }
        return nil
    }
}
