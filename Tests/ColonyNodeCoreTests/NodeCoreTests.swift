@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// The node core on its own: one node, frames and requests in, effects out, no sockets.
@Suite("the node core")
struct NodeCoreTests {
    static let cell = CellID("cell")
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    /// Node 1's core hosting `cell` (members 1, 2, 3), its creation made durable unless
    /// `creationDurable` is false.
    static func core(defects: Set<Defect> = [], creationDurable: Bool = true) throws -> NodeCore {
        var options = ReplicaOptions()
        options.defects = defects
        var core = NodeCore(node: NodeID(1), options: options, frameBytesMax: 1 << 20, seed: 7)
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        #expect(core.createCell(cell, configuration: configuration) == .created)
        let created = core.takeEffects()
        #expect(created.frames.filter(\.isControl).map(\.to) == [NodeID(2), NodeID(3)], "the other members are told")
        if creationDurable, let append = created.append {
            core.durable(through: append.ticket)
            _ = core.takeEffects()
        }
        return core
    }

    static func frame(_ body: PeerMessageBody) -> ArraySlice<UInt8> {
        PeerFrame.messages([PeerMessage(cell: cell, body: body)], incarnation: 1).encoded()[...]
    }

    /// The replica messages the effects carry, decoded, by destination.
    static func messages(_ effects: NodeEffects) throws -> [(to: NodeID, body: PeerMessageBody)] {
        try effects.frames.filter { !$0.isControl }.flatMap { frame -> [(to: NodeID, body: PeerMessageBody)] in
            let header = try PeerFrameHeader(frame.bytes, frameBytesMax: 1 << 20)
            guard case .messages(let messages, _) = try PeerFrame.decode(header, body: frame.bytes.dropFirst(PeerFrame.headerBytes)) else {
                return []
            }
            return messages.map { (frame.to, $0.body) }
        }
    }

    @Test("a promise leaves only once the record of it is durable")
    func promiseWaitsForItsRecord() throws {
        var core = try Self.core()
        let ballot = Ballot(epoch: 1, round: 5, node: NodeID(2))
        #expect(core.receive(frame: Self.frame(.prepare(ballot, fromSlot: 1)), from: NodeID(2)) == nil)
        let first = core.takeEffects()
        let append = try #require(first.append, "the promise is persisted")
        #expect(append.records.contains { $0.record == .promise(ballot) })
        #expect(try Self.messages(first).isEmpty, "nothing leaves before the record is durable")
        core.tick()
        #expect(try Self.messages(core.takeEffects()).isEmpty, "nor after a tick")
        core.durable(through: append.ticket)
        let released = try Self.messages(core.takeEffects())
        #expect(released.contains { $0.to == NodeID(2) && $0.body.ballot == ballot }, "the promise leaves once durable")
        #expect(core.releasedTicket == append.ticket)
    }

    @Test("with the sendsBeforeDurable defect the promise leaves with its record still pending")
    func defectSendsBeforeDurable() throws {
        var core = try Self.core(defects: [.sendsBeforeDurable])
        let ballot = Ballot(epoch: 1, round: 5, node: NodeID(2))
        core.receive(frame: Self.frame(.prepare(ballot, fromSlot: 1)), from: NodeID(2))
        let effects = core.takeEffects()
        let append = try #require(effects.append)
        #expect(try Self.messages(effects).contains { $0.to == NodeID(2) })
        #expect(core.releasedTicket == append.ticket, "released on a record not yet durable")
    }

    @Test("a later output waits behind an earlier one that waits for its records")
    func outputsLeaveInOrder() throws {
        var core = try Self.core()
        core.receive(frame: Self.frame(.prepare(Ballot(epoch: 1, round: 5, node: NodeID(2)), fromSlot: 1)), from: NodeID(2))
        let held = core.takeEffects()
        // A poll changes nothing durable, yet its answer may not overtake the promise.
        core.receive(frame: Self.frame(.poll(Ballot(epoch: 1, round: 9, node: NodeID(3)), appliedThrough: 0)), from: NodeID(3))
        let second = core.takeEffects()
        #expect(second.append == nil)
        #expect(try Self.messages(second).isEmpty)
        #expect(core.heldOutputCount == 2)
        core.durable(through: try #require(held.append).ticket)
        let released = try Self.messages(core.takeEffects())
        #expect(released.map(\.to) == [NodeID(2), NodeID(3)])
    }

    @Test("a request for a cell not hosted here is answered at once with a redirect")
    func notHostedRedirects() throws {
        var core = try Self.core()
        let request = ClientRequest(id: RequestID(client: ClientID(1), sequence: 1), cell: CellID("other"), operation: .get(Key("k")))
        core.submit(request, waiter: WaiterID(1), timeoutTicks: 10)
        let answers = core.takeEffects().answers
        #expect(answers == [NodeAnswer(waiter: WaiterID(1), outcome: .reply(ClientReply(
            id: request.id, cell: CellID("other"), outcome: .redirect(leader: nil, configuration: nil))))])
    }

    @Test("a retried request id takes the answer over and the first waiter hears it was superseded")
    func retrySupersedes() throws {
        // The creation is not durable yet, so the replica's answer waits behind it.
        var core = try Self.core(creationDurable: false)
        let request = ClientRequest(
            id: RequestID(client: ClientID(1), sequence: 1), cell: Self.cell, operation: .put(Key("k"), Array("v".utf8)))
        core.submit(request, waiter: WaiterID(1), timeoutTicks: 100)
        core.submit(request, waiter: WaiterID(2), timeoutTicks: 100)
        let answers = core.takeEffects().answers
        #expect(answers.first == NodeAnswer(waiter: WaiterID(1), outcome: .reply(ClientReply(
            id: request.id, cell: Self.cell, outcome: .unavailable(.superseded)))))
        #expect(!answers.contains { $0.waiter == WaiterID(2) })
    }

    @Test("a request not answered by its deadline is answered timedOut, and its late reply goes nowhere")
    func deadline() throws {
        // The creation is not durable yet, so the replica's answer waits behind it.
        var core = try Self.core(creationDurable: false)
        let read = ClientRequest(id: RequestID(client: ClientID(1), sequence: 1), cell: Self.cell, operation: .get(Key("k")))
        core.submit(read, waiter: WaiterID(1), timeoutTicks: 3)
        var answers: [NodeAnswer] = []
        for _ in 0..<2 {
            core.tick()
            answers += core.takeEffects().answers
        }
        #expect(answers.isEmpty, "not before its deadline")
        core.tick()
        #expect(core.takeEffects().answers == [NodeAnswer(waiter: WaiterID(1), outcome: .noAnswer(.timedOut))])
        core.durable(through: 1)
        #expect(core.takeEffects().answers.isEmpty, "the reply released now has no waiter")
    }

    @Test("a node that stops answers every request still waiting")
    func stopAnswersWaiters() throws {
        var core = try Self.core(creationDurable: false)
        let write = ClientRequest(
            id: RequestID(client: ClientID(2), sequence: 1), cell: Self.cell, operation: .put(Key("k"), Array("v".utf8)))
        core.submit(write, waiter: WaiterID(2), timeoutTicks: 1_000)
        #expect(core.waitingCount == 1)
        core.stop()
        #expect(core.takeEffects().answers == [NodeAnswer(waiter: WaiterID(2), outcome: .noAnswer(.stopping))])
        #expect(core.waitingCount == 0)
    }

    @Test("a stopped node answers what it is asked next at once, without waiting for a log that may never write, and forces or hands on nothing")
    func stoppedNodeAnswersAtOnce() throws {
        var core = try Self.core()
        core.stop()
        _ = core.takeEffects()
        let write = ClientRequest(
            id: RequestID(client: ClientID(2), sequence: 1), cell: Self.cell, operation: .put(Key("k"), Array("v".utf8)))
        core.submit(write, waiter: WaiterID(3), timeoutTicks: 1_000)
        core.changeMembership(Self.cell, MembershipChange(remove: NodeID(3), add: NodeID(4)), expectedEpoch: 1, waiter: WaiterID(4), timeoutTicks: 1_000)
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        core.createCells([(CellID("new"), configuration)], waiter: WaiterID(5))
        let stopping = NodeAnswerOutcome.noAnswer(.stopping)
        #expect(core.takeEffects().answers == [3, 4, 5].map { NodeAnswer(waiter: WaiterID($0), outcome: stopping) })
        #expect(core.waitingCount == 0)
        #expect(core.host.replica(CellID("new")) == nil, "a stopped node creates nothing")
        #expect(core.transferLeadership(of: Self.cell, to: NodeID(2)) == .stopping)
        #expect(core.forceHeal(Self.cell) == .stopping)
        #expect(core.takeEffects().isEmpty, "nothing to write or send")
    }

    @Test("a malformed frame is refused and noted, and so is a second hello")
    func malformedFrames() throws {
        var core = try Self.core()
        var bytes = Array(Self.frame(.catchUpRequest(fromSlot: 1)))
        bytes[bytes.count - 1] ^= 0xFF
        bytes.append(0)
        #expect(core.receive(frame: bytes[...], from: NodeID(2)) != nil)
        #expect(core.receive(frame: PeerFrame.hello(colony: "c", node: NodeID(2), reads: 1...1).encoded()[...], from: NodeID(2)) == .unexpectedHello)
        let notes = core.takeEffects().notes
        #expect(notes.filter { if case .malformedFrame = $0 { true } else { false } }.count == 2)
    }

    @Test("creating a cell twice says it exists; a creation frame for another node's cell is ignored")
    func creation() throws {
        var core = try Self.core()
        let configuration = try CellConfiguration(epoch: 1, members: Self.members, startSlot: 1)
        #expect(core.createCell(Self.cell, configuration: configuration) == .exists(configuration))
        let elsewhere = try CellConfiguration(epoch: 1, members: [NodeID(2), NodeID(3), NodeID(4)], startSlot: 1)
        #expect(core.receive(frame: PeerFrame.createCell(CellID("far"), elsewhere).encoded()[...], from: NodeID(2)) == nil)
        #expect(core.host.replica(CellID("far")) == nil)
    }

    @Test("the control plane's change at a replica that does not lead is refused with the members it knows")
    func membershipChangeAtFollower() throws {
        var core = try Self.core()
        core.changeMembership(Self.cell, MembershipChange(remove: NodeID(3), add: NodeID(4)), expectedEpoch: 1, waiter: WaiterID(9), timeoutTicks: 10)
        let answers = core.takeEffects().answers
        guard case .membershipChange(.refused(.notLeader))? = answers.first?.outcome else {
            Issue.record("expected a notLeader refusal, got \(answers)")
            return
        }
        core.changeMembership(CellID("other"), MembershipChange(remove: NodeID(3), add: NodeID(4)), expectedEpoch: 1, waiter: WaiterID(10), timeoutTicks: 10)
        #expect(core.takeEffects().answers == [NodeAnswer(waiter: WaiterID(10), outcome: .membershipChange(.notHosted))])
    }
}

@Suite("an operator's force of a damaged replica, at the node core")
struct ForcedHealNodeCoreTests {
    @Test("only a damaged replica the node hosts is forced, once, and the force is persisted with its floor and counted")
    func forceOnce() throws {
        let configuration = try CellConfiguration(epoch: 1, members: NodeCoreTests.members, startSlot: 1)
        var durable = DurableCellState()
        durable.apply(.damaged(renewal: RequestID(client: ClientID(1 << 63), sequence: 1)))
        durable.apply(.snapshot(CellState(configuration: configuration)))
        var core = NodeCore(node: NodeID(1), durable: [NodeCoreTests.cell: durable], options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 3)
        _ = core.takeEffects()
        #expect(core.forceHeal(CellID("elsewhere")) == .notHosted)
        #expect(core.forceHeal(NodeCoreTests.cell) == .forced(appliedThrough: 0))
        let append = try #require(core.takeEffects().append)
        #expect(append.records.map(\.record) == [.forcedHeal(floor: Ballot(epoch: 1, round: 1, node: NodeID(1)))])
        #expect(core.statistics.forcedHeals == 1)
        #expect(core.forceHeal(NodeCoreTests.cell) == .refused(.notDamaged))
        #expect(core.host.replica(NodeCoreTests.cell)?.canVote == true)
    }
}
