import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// A peer's or a disk's absurd counters never make a node trap: a ballot round past
/// `CounterBounds.decodedMax` is refused at decode, one past `adoptedMax` is dropped by the
/// replica, and a replica whose epoch has run out of rounds stops standing instead of
/// overflowing.
@Suite("counter bounds in the node core")
struct CounterBoundsTests {
    static let attacker = NodeID(2)

    /// Runs `core` for `ticks` ticks, making every append durable at once; returns the notes
    /// and the replica messages sent.
    static func run(_ core: inout NodeCore, ticks: Int) throws -> (notes: [NodeNote], sent: [(to: NodeID, body: PeerMessageBody)]) {
        var notes: [NodeNote] = []
        var sent: [(to: NodeID, body: PeerMessageBody)] = []
        for _ in 0..<ticks {
            core.tick()
            var effects = core.takeEffects()
            while let append = effects.append {
                notes += effects.notes
                sent += try NodeCoreTests.messages(effects)
                core.durable(through: append.ticket)
                effects = core.takeEffects()
            }
            notes += effects.notes
            sent += try NodeCoreTests.messages(effects)
        }
        return (notes, sent)
    }

    static func promises(_ effects: NodeEffects) -> [Ballot] {
        (effects.append?.records ?? []).compactMap { if case .promise(let ballot) = $0.record { ballot } else { nil } }
    }

    @Test("a prepare with round UInt64.max is refused at decode, persists nothing, and the node lives on")
    func roundMaxRefusedAtDecode() throws {
        var core = try NodeCoreTests.core()
        let hostile = PeerMessageBody.prepare(Ballot(epoch: 1, round: .max, node: Self.attacker), fromSlot: 1)
        let refusal = core.receive(frame: NodeCoreTests.frame(hostile), from: Self.attacker)
        guard case .body(.valueOutOfRange(let field, _, _))? = refusal else {
            Issue.record("expected the round to be refused at decode, got \(String(describing: refusal))")
            return
        }
        #expect(field == "Ballot.round")
        #expect(Self.promises(core.takeEffects()).isEmpty, "nothing is persisted")
        // Today's main trapped here within an election timeout, from `max(promised, seen) + 1`.
        let (_, sent) = try Self.run(&core, ticks: 1_000)
        #expect(sent.contains { if case .poll = $0.body { true } else { false } }, "the node stands for election as usual")
    }

    @Test("a reject carrying the largest decodable round is dropped by the leader, which keeps leading")
    func rejectAboveAdoptedMaxDropped() throws {
        var core = try NodeCoreTests.core()
        // Let node 1 win its cell, with the honest node 3's help.
        var ballot: Ballot?
        for _ in 0..<200 where ballot == nil {
            let (_, sent) = try Self.run(&core, ticks: 1)
            for message in sent where message.to == NodeID(3) {
                switch message.body {
                case .poll(let poll, _):
                    core.receive(frame: NodeCoreTests.frame(.pollReply(poll, granted: true)), from: NodeID(3))
                case .prepare(let prepare, _):
                    core.receive(frame: NodeCoreTests.frame(.promise(prepare, appliedThrough: 0, entries: [])), from: NodeID(3))
                    ballot = prepare
                default:
                    break
                }
            }
        }
        let leading = try #require(ballot)
        _ = try Self.run(&core, ticks: 1)
        #expect(core.leaderCount == 1)
        let hostile = PeerMessageBody.reject(attempted: leading, promised: Ballot(epoch: 1, round: CounterBounds.decodedMax, node: Self.attacker))
        #expect(core.receive(frame: NodeCoreTests.frame(hostile), from: Self.attacker) == nil, "the frame decodes")
        let notes = core.takeEffects().notes
        #expect(notes.contains(.cell(CellEvent(cell: NodeCoreTests.cell, event: .refusedMessage(from: Self.attacker, reason: .counterAboveBound(CounterBounds.decodedMax))))))
        #expect(core.leaderCount == 1, "the leader did not step down for it")
        _ = try Self.run(&core, ticks: 500)
    }

    @Test("a promise of the last round a replica adopts stops its candidacies, loudly, without a trap")
    func roundsExhausted() throws {
        var core = try NodeCoreTests.core()
        let ballot = Ballot(epoch: 1, round: CounterBounds.adoptedMax, node: Self.attacker)
        #expect(core.receive(frame: NodeCoreTests.frame(.prepare(ballot, fromSlot: 1)), from: Self.attacker) == nil)
        #expect(Self.promises(core.takeEffects()) == [ballot], "a round at the bound is still a round")
        let (notes, sent) = try Self.run(&core, ticks: 1_000)
        #expect(notes.contains(.cell(CellEvent(cell: NodeCoreTests.cell, event: .roundsExhausted(epoch: 1)))))
        #expect(!sent.contains { $0.body.ballot.map { $0.round > CounterBounds.adoptedMax } ?? false }, "no round past the bound leaves")
    }

    @Test("a node restarted from a persisted promise of round UInt64.max does not trap")
    func restartFromAbsurdPromise() throws {
        let configuration = try CellConfiguration(epoch: 1, members: NodeCoreTests.members, startSlot: 1)
        // A promise no decoder lets in, as an older version may have persisted it.
        var durable = DurableCellState()
        durable.apply(.snapshot(CellState(configuration: configuration)))
        durable.apply(.promise(Ballot(epoch: 1, round: .max, node: Self.attacker)))
        var core = NodeCore(node: NodeID(1), durable: [NodeCoreTests.cell: durable], options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 3)
        // A restored replica rests until something wakes it: a member's catch-up request does.
        #expect(core.receive(frame: NodeCoreTests.frame(.catchUpRequest(fromSlot: 1)), from: NodeID(2)) == nil)
        let (notes, _) = try Self.run(&core, ticks: 1_000)
        #expect(notes.contains(.cell(CellEvent(cell: NodeCoreTests.cell, event: .roundsExhausted(epoch: 1)))))
    }

    @Test("a client request expecting an epoch far ahead of the replica is refused at once; a near one goes to the cell")
    func absurdExpectedEpoch() throws {
        let core = try NodeCoreTests.core()
        func request(_ cell: CellID, expecting epoch: Epoch?) -> ClientRequest {
            ClientRequest(id: RequestID(client: ClientID(1), sequence: 1), cell: cell, operation: .get(Key("k")), expectedEpoch: epoch)
        }
        let absurd = core.epochTooFarAhead(request(NodeCoreTests.cell, expecting: .max), leadMax: 1_000)
        #expect(absurd == EpochTooFarAhead(expected: .max, current: 1, leadMax: 1_000))
        #expect(core.epochTooFarAhead(request(NodeCoreTests.cell, expecting: 1_001), leadMax: 1_000) == nil)
        #expect(core.epochTooFarAhead(request(NodeCoreTests.cell, expecting: 1_002), leadMax: 1_000) != nil)
        #expect(core.epochTooFarAhead(request(NodeCoreTests.cell, expecting: nil), leadMax: 1_000) == nil)
        #expect(core.epochTooFarAhead(request(CellID("elsewhere"), expecting: .max), leadMax: 1_000) == nil, "a cell not hosted here decides itself")
    }
}
