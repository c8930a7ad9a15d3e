import ColonyCore
import ColonySim
import Testing

@Suite("deleting a cell through its own log, and the tombstone it leaves")
struct CellDeletionTests {
    func request(_ operation: CellOperation, client: UInt64 = 1, sequence: UInt64) -> ClientRequest {
        ClientRequest(id: RequestID(client: ClientID(client), sequence: sequence), cell: CellID("cell"), operation: operation)
    }

    func outcome(_ cell: InMemoryCell, client: UInt64 = 1, sequence: UInt64) -> ClientOutcome? {
        cell.reply(to: RequestID(client: ClientID(client), sequence: sequence))?.outcome
    }

    @Test("every replica applies the deletion at the same slot, drops the keys and keeps only a tombstone, on disk too")
    func deletionThroughTheLog() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(request(.put("a", [1]), sequence: 1), to: leader)
        cell.submit(request(.deleteCell, sequence: 2), to: leader)
        #expect(outcome(cell, sequence: 2) == .completed(.success(.cellDeleted)))
        for _ in 0..<30 { cell.tick() }
        let tombstones = cell.nodes.compactMap { cell.replicas[$0]?.tombstone }
        #expect(tombstones.count == 3)
        #expect(Set(tombstones.map(\.slot)).count == 1, "one slot deleted the cell everywhere")
        #expect(tombstones.first?.revision == 1)
        for node in cell.nodes {
            #expect(cell.replicas[node]?.state == nil, "\(node) dropped the keys")
            #expect(cell.durable[node]?.tombstone == tombstones.first)
            #expect(cell.durable[node]?.snapshot == nil && cell.durable[node]?.entries.isEmpty == true)
        }
    }

    @Test("after the deletion every request, on any replica and after a restart, is refused with cellDeleted")
    func requestsAreRefused() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(request(.deleteCell, sequence: 1), to: leader)
        for _ in 0..<30 { cell.tick() }
        let follower = try #require(cell.nodes.first { $0 != leader })
        cell.restart(follower)
        cell.submit(request(.put("a", [1]), client: 2, sequence: 1), to: follower)
        cell.submit(request(.get("a"), client: 3, sequence: 1), to: leader)
        #expect(outcome(cell, client: 2, sequence: 1) == .rejected(.cellDeleted))
        #expect(outcome(cell, client: 3, sequence: 1) == .rejected(.cellDeleted))
        #expect(cell.replicas[follower]?.tombstone != nil)
    }

    @Test("a replica that missed the deletion adopts it from a peer's tombstone when it next asks")
    func lateReplicaAdopts() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.submit(request(.put("a", [1]), sequence: 1), to: leader)
        let late = try #require(cell.nodes.first { $0 != leader })
        cell.isolated = [late]
        cell.submit(request(.deleteCell, sequence: 2), to: leader)
        for _ in 0..<30 { cell.tick() }
        #expect(cell.replicas[late]?.tombstone == nil)
        cell.isolated = []
        for _ in 0..<200 { cell.tick() }
        #expect(cell.replicas[late]?.tombstone == cell.replicas[leader]?.tombstone)
        #expect(cell.replicas[late]?.state == nil)
    }

    @Test("a deletion travels alone in its slot: writes queued behind it are refused, never applied")
    func deletionIsAStopSign() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        cell.enqueue(request(.deleteCell, sequence: 1), to: leader)
        cell.enqueue(request(.put("a", [1]), client: 2, sequence: 1), to: leader)
        cell.deliverAll()
        for _ in 0..<30 { cell.tick() }
        #expect(outcome(cell, sequence: 1) == .completed(.success(.cellDeleted)))
        let batches = cell.events.compactMap { event -> Batch? in
            if case .applied(_, let batch) = event.event, event.node == leader { return batch }
            return nil
        }
        #expect(batches.last?.count == 1, "the deletion was proposed alone")
        #expect(outcome(cell, client: 2, sequence: 1) != .completed(.success(.written(version: 1))))
    }
}

@Suite("the tombstone rule of a node's host: a deleted cell never comes back")
struct TombstoneRuleTests {
    let cell = CellID("gone")

    func deletedHost() throws -> (ReplicaHost, CellTombstone) {
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        let tombstone = CellTombstone(configuration: configuration, slot: 9, revision: 4)
        var durable = DurableCellState()
        durable.apply(.deleted(tombstone))
        let (host, output) = ReplicaHost.restore(
            node: NodeID(1), durable: [cell: durable], damaged: [], options: ReplicaOptions(), seed: 1)
        #expect(output.isEmpty)
        return (host, tombstone)
    }

    let heartbeat = PeerMessageBody.heartbeat(Ballot(epoch: 1, round: 3, node: NodeID(2)), commit: 8, round: 1)

    @Test("without a tombstone, a leader's message for an unknown cell makes the host create an empty replica")
    func unknownCellIsCreated() {
        var host = ReplicaHost(node: NodeID(1), options: ReplicaOptions(), seed: 1)
        _ = host.receive([PeerMessage(cell: cell, body: heartbeat)], from: NodeID(2))
        #expect(host.replica(cell) != nil)
    }

    @Test("with a tombstone, the same message creates nothing and is answered with the tombstone")
    func tombstoneAnswers() throws {
        var (host, tombstone) = try deletedHost()
        let output = host.receive([PeerMessage(cell: cell, body: heartbeat)], from: NodeID(2))
        #expect(host.replica(cell) == nil)
        #expect(host.cells.isEmpty)
        #expect(output.batches == [PeerBatch(to: NodeID(2), messages: [PeerMessage(cell: cell, body: .cellDeleted(tombstone))])])
        #expect(output.persist.isEmpty)
    }

    @Test("answers go only to requests: a tombstone never answers an answer, so two never talk forever")
    func noAnswerToAnswers() throws {
        var (host, tombstone) = try deletedHost()
        let answers: [PeerMessageBody] = [
            .cellDeleted(tombstone), .heartbeatReply(Ballot(epoch: 1, round: 3, node: NodeID(1)), round: 1, appliedThrough: 3),
            .staleEpoch(tombstone.configuration),
        ]
        let output = host.receive(answers.map { PeerMessage(cell: cell, body: $0) }, from: NodeID(2))
        #expect(output.isEmpty)
    }

    @Test("a client request gets cellDeleted, and creating the cell again does nothing")
    func requestsAndCreation() throws {
        var (host, tombstone) = try deletedHost()
        let request = ClientRequest(id: RequestID(client: ClientID(5), sequence: 1), cell: cell, operation: .get("k"))
        #expect(host.submit(request).replies == [ClientReply(id: request.id, cell: cell, outcome: .rejected(.cellDeleted))])
        #expect(host.createCell(cell, configuration: tombstone.configuration).isEmpty)
        #expect(host.replica(cell) == nil)
        #expect(host.tombstone(cell) == tombstone)
        #expect(host.deletedCells == [cell])
    }

    @Test("a host whose replica applies the deletion replaces it by the tombstone and keeps its other replicas")
    func hostBuriesTheReplica() throws {
        var host = ReplicaHost(node: NodeID(1), options: ReplicaOptions(), seed: 1)
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        for name in ["a", "gone", "z"] {
            _ = host.createCell(CellID(name), configuration: configuration)
        }
        let accept = PeerMessageBody.accept(
            Ballot(epoch: 1, round: 1, node: NodeID(2)), slot: 1,
            batch: [.client(ClientCommand(id: RequestID(client: ClientID(4), sequence: 1), operation: .deleteCell, opensSession: true))],
            commit: 0)
        _ = host.receive([PeerMessage(cell: cell, body: accept)], from: NodeID(2))
        let commit = PeerMessageBody.heartbeat(Ballot(epoch: 1, round: 1, node: NodeID(2)), commit: 1, round: 1)
        let output = host.receive([PeerMessage(cell: cell, body: commit)], from: NodeID(2))
        #expect(output.events.contains { if case .deleted = $0.event { return $0.cell == cell }; return false })
        #expect(host.cells == [CellID("a"), CellID("z")])
        #expect(host.tombstone(cell)?.slot == 1)
        _ = host.tick()
        #expect(host.replica(CellID("a")) != nil && host.replica(CellID("z")) != nil)
    }
}
