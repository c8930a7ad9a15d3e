import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// A peer's messages about cells this node does not host make at most a bounded number of
/// unconfirmed replicas, which persist nothing until a snapshot names this node a member.
@Suite("messages for unknown cells")
struct UnknownCellTests {
    static let attacker = NodeID(2)

    static func frame(_ cell: CellID, _ body: PeerMessageBody) -> ArraySlice<UInt8> {
        PeerFrame.messages([PeerMessage(cell: cell, body: body)], incarnation: 1).encoded()[...]
    }

    static func records(_ effects: NodeEffects) -> [CellRecord] {
        effects.append?.records ?? []
    }

    @Test("thousands of polls, prepares and deletions for made-up cells keep the node bounded and persist nothing")
    func flood() throws {
        var core = NodeCore(node: NodeID(1), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let options = ReplicaOptions()
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), Self.attacker, NodeID(3)], startSlot: 1)
        var persisted: [CellRecord] = []
        var refused = 0
        for index in 0..<5_000 {
            let cell = CellID("junk-\(index)")
            let ballot = Ballot(epoch: 1, round: 1, node: Self.attacker)
            let body: PeerMessageBody = index.isMultiple(of: 2) ? .poll(ballot, appliedThrough: 0) : .prepare(ballot, fromSlot: 1)
            #expect(core.receive(frame: Self.frame(cell, body), from: Self.attacker) == nil)
            let tombstone = CellTombstone(configuration: configuration, slot: 1, revision: 0)
            core.receive(frame: Self.frame(cell, .cellDeleted(tombstone)), from: Self.attacker)
            let effects = core.takeEffects()
            persisted += Self.records(effects)
            for case .unknownCellsRefused(Self.attacker, let messages) in effects.notes { refused += messages }
        }
        #expect(persisted.isEmpty, "nothing of a made-up cell is persisted")
        #expect(core.host.deletedCells.isEmpty, "no tombstone is kept of a cell never held")
        #expect(core.host.replicaCount <= options.unconfirmedReplicasPerPeerMax)
        // Half the messages are deletions, which forget the replica their prepare made, and
        // polls make none; fill up.
        for index in 0..<5_000 {
            let cell = CellID("more-\(index)")
            core.receive(frame: Self.frame(cell, .prepare(Ballot(epoch: 1, round: 1, node: Self.attacker), fromSlot: 1)), from: Self.attacker)
            for case .unknownCellsRefused(Self.attacker, let messages) in core.takeEffects().notes { refused += messages }
        }
        #expect(core.host.replicaCount == options.unconfirmedReplicasPerPeerMax)
        #expect(refused == 5_000 - options.unconfirmedReplicasPerPeerMax, "every refusal is counted in a note")
        #expect(core.host.unknownCellRefusals == refused)
        for _ in 0...options.unconfirmedTicksMax {
            core.tick()
            persisted += Self.records(core.takeEffects())
        }
        #expect(core.host.replicaCount == 0, "unconfirmed replicas are forgotten in time")
        #expect(persisted.isEmpty)
    }

    @Test("a poll makes a replica of an unknown cell only from a candidate that applied something: a new cell's first poll outruns its creation, a lost member's cell does not")
    func pollsMakeReplicasOnlyPastTheStart() throws {
        var core = NodeCore(node: NodeID(4), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let ballot = Ballot(epoch: 1, round: 1, node: Self.attacker)
        core.receive(frame: Self.frame(CellID("new"), .poll(ballot, appliedThrough: 0)), from: Self.attacker)
        #expect(core.host.replica(CellID("new")) == nil, "a first election's poll makes nothing: the creation frame will")
        core.receive(frame: Self.frame(CellID("used"), .poll(ballot, appliedThrough: 12)), from: Self.attacker)
        #expect(core.host.replica(CellID("used")) != nil, "a used cell's poll makes an unconfirmed replica, which fetches the cell")
        #expect(core.host.unconfirmedReplicaCount == 1)
        #expect(Self.records(core.takeEffects()).isEmpty)
    }

    @Test("a replica made by a leader's message is confirmed by a snapshot naming this node, and only then persists")
    func confirmedBySnapshot() throws {
        var core = NodeCore(node: NodeID(4), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let cell = CellID("moved")
        let leader = NodeID(2)
        let ballot = Ballot(epoch: 2, round: 1, node: leader)
        core.receive(frame: Self.frame(cell, .heartbeat(ballot, commit: 5, round: 1)), from: leader)
        let asked = core.takeEffects()
        #expect(Self.records(asked).isEmpty)
        #expect(try NodeCoreTests.messages(asked).contains { $0.to == leader && $0.body == .catchUpRequest(fromSlot: 0) })
        #expect(core.host.unconfirmedReplicaCount == 1)

        let configuration = try CellConfiguration(epoch: 2, members: [NodeID(1), leader, NodeID(4)], startSlot: 5)
        core.receive(frame: Self.frame(cell, .snapshot(CellState(configuration: configuration))), from: leader)
        let records = Self.records(core.takeEffects()).map(\.record)
        guard case .damaged? = records.first, case .snapshot? = records.dropFirst().first else {
            Issue.record("expected the damaged record ahead of the snapshot, got \(records)")
            return
        }
        #expect(core.host.unconfirmedReplicaCount == 0)
        #expect(core.host.replica(cell)?.isDamaged == true, "it votes only once renewed")
    }

    @Test("a snapshot that does not name this node forgets the unconfirmed replica")
    func snapshotNotNamingNode() throws {
        var core = NodeCore(node: NodeID(4), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let cell = CellID("elsewhere")
        core.receive(frame: Self.frame(cell, .prepare(Ballot(epoch: 1, round: 1, node: Self.attacker), fromSlot: 1)), from: Self.attacker)
        _ = core.takeEffects()
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), Self.attacker, NodeID(3)], startSlot: 1)
        core.receive(frame: Self.frame(cell, .snapshot(CellState(configuration: configuration))), from: Self.attacker)
        #expect(Self.records(core.takeEffects()).isEmpty)
        #expect(core.host.replica(cell) == nil)
    }
}
