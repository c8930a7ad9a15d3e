import ColonyCore
import ColonySim
import Testing

@Suite("a cell's replicas in the common case")
struct ReplicaScenarioTests {
    @Test("the replicas elect exactly one leader, which commits a write and reads it back")
    func electCommitRead() throws {
        var cell = try Scenario.cell(7)
        let leader = try Scenario.leader(&cell)
        #expect(cell.leaders == [leader])
        cell.submit(Scenario.put("k", "v1"), to: leader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 1))?.outcome == .completed(.success(.written(version: 1))))
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v1")
    }

    @Test("a follower redirects a client to the leader and answers a stale read itself")
    func followersRedirect() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        for _ in 0..<10 { cell.tick() }
        let follower = try #require(cell.nodes.first { $0 != leader })
        cell.submit(Scenario.get("k", sequence: 1), to: follower)
        guard case .redirect(let hint, let configuration) = cell.reply(to: RequestID(client: ClientID(99), sequence: 1))?.outcome else {
            Issue.record("expected a redirect")
            return
        }
        #expect(hint == leader)
        #expect(configuration?.members == cell.nodes)
        cell.submit(Scenario.get("k", sequence: 2, consistency: .stale), to: follower)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 2))) == "v1")
    }

    @Test("a retried write is applied once and answered with its first result")
    func retriesApplyOnce() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "a", sequence: 1), to: leader)
        cell.submit(Scenario.put("k", "b", client: 2, sequence: 1), to: leader)
        cell.submit(Scenario.put("k", "a", sequence: 1), to: leader)
        #expect(cell.replies.filter { $0.id == RequestID(client: ClientID(1), sequence: 1) }.map(\.outcome)
            == [.completed(.success(.written(version: 1))), .completed(.success(.written(version: 1)))])
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "b")
        let applied = cell.events.filter { if case .applied = $0.event { return $0.node == leader }; return false }
        #expect(applied.count == 2, "the retry took no slot")
    }

    @Test("a write that breaks the cell's limits is refused before it reaches the log")
    func invalidWritesAreRejected() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put(String(repeating: "k", count: 300), "v"), to: leader)
        #expect(cell.reply(to: RequestID(client: ClientID(1), sequence: 1))?.outcome == .rejected(.keyTooLong(bytes: 300, max: 256)))
    }

    @Test("a linearizable read waits for a majority to confirm the leader")
    func readsNeedAQuorum() throws {
        var cell = try Scenario.cell(5)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v1"), to: leader)
        for node in cell.nodes where node != leader {
            cell.cutLinks.insert([node, leader])
        }
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(cell.reply(to: RequestID(client: ClientID(99), sequence: 1)) == nil, "no confirmation, no answer")
        cell.cutLinks.removeAll()
        for _ in 0..<ReplicaOptions().retransmitTicks { cell.tick() }
        #expect(Scenario.readValue(cell.reply(to: RequestID(client: ClientID(99), sequence: 1))) == "v1")
    }

    @Test("a request naming an older epoch is told the current configuration")
    func staleEpochRequests() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        var request = Scenario.put("k", "v")
        request.expectedEpoch = 0
        cell.submit(request, to: leader)
        guard case .staleEpoch(let configuration) = cell.reply(to: request.id)?.outcome else {
            Issue.record("expected staleEpoch")
            return
        }
        #expect(configuration.epoch == 1)
    }
}
