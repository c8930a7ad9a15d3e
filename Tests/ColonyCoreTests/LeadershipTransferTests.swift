import ColonyCore
import ColonySim
import Testing

@Suite("a leader hands its lead to the member the control plane names")
struct LeadershipTransferTests {
    @Test("the named member leads after one round trip and holds what was written")
    func targetLeads() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        let target = try #require(cell.nodes.last { $0 != leader })
        #expect(cell.transferLeadership(from: leader, to: target) == nil)
        #expect(cell.leaders == [target])
        cell.submit(Scenario.get("k", sequence: 1), to: target)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v1")
    }

    @Test("after a transfer the new leader keeps the lead: the old one does not campaign back")
    func noDuelAfterTransfer() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        let target = try #require(cell.nodes.first { $0 != leader })
        #expect(cell.transferLeadership(from: leader, to: target) == nil)
        for _ in 0..<500 {
            cell.tick()
            #expect(cell.leaders.allSatisfy { $0 == target }, "the lead moved away from \(target): \(cell.leaders)")
        }
        #expect(cell.leaders == [target])
        #expect(cell.replicas[leader]?.isLeaving == false)
    }

    @Test("the old leader stays a full member and can take the lead back")
    func oldLeaderCanLeadAgain() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        let target = try #require(cell.nodes.first { $0 != leader })
        #expect(cell.transferLeadership(from: leader, to: target) == nil)
        #expect(cell.transferLeadership(from: target, to: leader) == nil)
        #expect(cell.leaders == [leader])
    }

    @Test("a follower refuses and names the leader it knows")
    func followerRefuses() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        let follower = try #require(cell.nodes.first { $0 != leader })
        #expect(cell.transferLeadership(from: follower, to: follower) == .notLeader(leader: leader))
        #expect(cell.leaders == [leader])
    }

    @Test("the leader refuses itself, a non-member, and a member that does not answer")
    func leaderRefusesBadTargets() throws {
        // A leader at rest cannot notice a member go silent (a transfer to it would only go
        // unanswered); this one stays awake.
        var awake = ReplicaOptions()
        awake.quiesceIdleTicks = .max
        var cell = try Scenario.cell(5, options: awake)
        let leader = try Scenario.leader(&cell)
        #expect(cell.transferLeadership(from: leader, to: leader) == .targetLeadsAlready)
        let stranger = NodeID(900)
        guard case .notMember(let named, _)? = cell.transferLeadership(from: leader, to: stranger) else {
            Issue.record("a non-member target was not refused as such")
            return
        }
        #expect(named == stranger)
        let silent = try #require(cell.nodes.first { $0 != leader })
        cell.isolated = [silent]
        for _ in 0..<(ReplicaOptions().electionTimeoutTicks + 2) { cell.tick() }
        #expect(cell.transferLeadership(from: leader, to: silent) == .targetNotLive(target: silent))
        #expect(cell.leaders == [leader])
    }

    @Test("the leader refuses while a membership change is being committed")
    func refusesDuringMembershipChange() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        let removed = try #require(cell.nodes.first { $0 != leader })
        let target = try #require(cell.nodes.last { $0 != leader && $0 != removed })
        let change = MembershipChange(remove: removed, add: NodeID(900))
        cell.enqueue(
            ClientRequest(id: RequestID(client: ClientID(5), sequence: 1), cell: cell.cell, operation: .changeMembership(change)),
            to: leader)
        #expect(cell.transferLeadership(from: leader, to: target) == .changeInFlight)
    }
}
