import ColonyCore
import ColonySim
import Testing

@Suite("a leader whose node is stopping hands its cell on")
struct HandOffTests {
    @Test("another member leads within a tick of the hand-off, long before any election timeout")
    func successorLeadsAtOnce() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        cell.handOff(leader)
        let successor = try #require(cell.leaders.first, "the member asked stood and won at once")
        #expect(successor != leader)
        #expect(cell.replicas[leader]?.isLeader == false)
        cell.submit(Scenario.get("k", sequence: 1), to: successor)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v1")
    }

    @Test("a replica whose node is leaving never stands again, even when its cell has no leader")
    func leavingReplicaNeverStands() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        let followers = cell.nodes.filter { $0 != leader }
        for node in followers { cell.handOff(node) }
        cell.isolated = [leader]
        for _ in 0..<300 { cell.tick() }
        #expect(cell.leaders.allSatisfy { $0 == leader }, "leaving replicas stood for election: \(cell.leaders)")
        #expect(followers.allSatisfy { cell.replicas[$0]?.isLeaving == true })
    }

    @Test("when the member asked first is gone, the leader asks the next one")
    func handOffRetriesAnotherMember() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        let first = try #require(cell.nodes.first { $0 != leader })
        cell.frozen = [first]
        cell.isolated = [first]
        cell.handOff(leader)
        var ticks = 0
        while cell.leaders.allSatisfy({ $0 == leader }), ticks < 10 {
            cell.tick()
            ticks += 1
        }
        let successor = try #require(cell.leaders.first { $0 != leader }, "no successor within 10 ticks")
        #expect(successor != first)
    }
}
