import ColonyCore
import ColonySim
import Testing

@Suite("changing a cell's members through its own log")
struct MembershipChangeTests {
    func change(_ remove: UInt32, _ add: UInt32, sequence: UInt64 = 1) -> ClientRequest {
        ClientRequest(
            id: RequestID(client: ClientID(50), sequence: sequence), cell: CellID("cell"),
            operation: .changeMembership(MembershipChange(remove: NodeID(remove), add: NodeID(add))))
    }

    @Test("replacing a member starts a new epoch; the new member joins from a snapshot and serves")
    func replaceMember() throws {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        let removed: UInt32 = leader == NodeID(1) ? 2 : 1
        cell.submit(change(removed, 4), to: leader)
        guard case .completed(.success(.membershipChanged(let configuration))) = cell.reply(to: RequestID(client: ClientID(50), sequence: 1))?.outcome
        else {
            Issue.record("the change was not applied")
            return
        }
        #expect(configuration.epoch == 2)
        #expect(configuration.contains(NodeID(4)))
        for _ in 0..<40 { cell.tick() }
        #expect(cell.replicas[NodeID(4)]?.isMember == true)
        #expect(cell.replicas[NodeID(4)]?.canVote == true, "the new member was renewed and votes")
        #expect(cell.replicas[NodeID(removed)]?.isMember == false)
        let newLeader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v2", sequence: 2), to: newLeader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 2))?.outcome == .completed(.success(.written(version: 2))))
        for _ in 0..<ReplicaOptions().heartbeatIntervalTicks { cell.tick() }
        cell.submit(Scenario.get("k", sequence: 1, consistency: .stale), to: NodeID(4))
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v2")
    }

    @Test("a leader that removes itself hands the lead to a member that stays, well within an election timeout")
    func removedLeaderHandsOver() throws {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let leader = try Scenario.leader(&cell)
        cell.submit(change(leader.rawValue, 4), to: leader)
        guard case .completed(.success(.membershipChanged)) = cell.reply(to: RequestID(client: ClientID(50), sequence: 1))?.outcome else {
            Issue.record("the change was not applied")
            return
        }
        var ticks: UInt64 = 0
        while cell.leaders.isEmpty, ticks < ReplicaOptions().electionTimeoutTicks / 3 {
            cell.tick()
            ticks += 1
        }
        let successor = try #require(cell.leaders.first, "no leader \(ticks) ticks after the leader removed itself")
        #expect(successor != leader)
        #expect(cell.replicas[successor]?.configuration?.contains(leader) == false, "the successor leads the new epoch")
        cell.submit(Scenario.put("k", "after", sequence: 2), to: successor)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 2))?.outcome == .completed(.success(.written(version: 1))))
    }

    @Test("a replica of an older epoch is answered with the current configuration")
    func staleEpochMessages() throws {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let leader = try Scenario.leader(&cell)
        let removed: UInt32 = leader == NodeID(1) ? 2 : 1
        cell.submit(change(removed, 4), to: leader)
        for _ in 0..<20 { cell.tick() }
        let newLeader = try Scenario.leader(&cell)
        var replica = try #require(cell.replicas[newLeader])
        let oldBallot = Ballot(epoch: 1, round: 99, node: NodeID(removed))
        let output = replica.receive(.heartbeat(oldBallot, commit: 0, round: 1), from: NodeID(removed))
        #expect(output.messages.map(\.message.body) == [.staleEpoch(try #require(replica.configuration))])
    }

    @Test("a cell moved off a node and back works again on that node")
    func moveOffAndBack() throws {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let leader = try Scenario.leader(&cell)
        let moved: UInt32 = leader == NodeID(1) ? 2 : 1
        cell.submit(change(moved, 4), to: leader)
        for _ in 0..<30 { cell.tick() }
        var current = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "while-away"), to: current)
        cell.submit(change(4, moved, sequence: 2), to: current)
        for _ in 0..<30 { cell.tick() }
        current = try Scenario.leader(&cell)
        #expect(cell.replicas[NodeID(moved)]?.isMember == true)
        #expect(cell.replicas[NodeID(moved)]?.canVote == true, "renewed after it came back empty")
        cell.submit(Scenario.get("k", sequence: 1, consistency: .stale), to: NodeID(moved))
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "while-away")
    }
}
