@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// A leader's accepts leave while its own record of the slot is still being written, and its
/// own vote counts only once that record is durable: one fsync on the write's path instead
/// of two in a row, and no commit point that rests on an unwritten vote.
@Suite("accepts that leave before the leader's record is durable")
struct EarlyAcceptTests {
    static let follower = NodeID(3)

    /// Node 1's core leading `NodeCoreTests.cell`, elected with node 3's help, every append
    /// durable; and its ballot.
    static func leader(defects: Set<Defect> = []) throws -> (core: NodeCore, ballot: Ballot) {
        var core = try NodeCoreTests.core(defects: defects)
        var ballot: Ballot?
        for _ in 0..<200 where ballot == nil {
            let (_, sent) = try CounterBoundsTests.run(&core, ticks: 1)
            for message in sent where message.to == Self.follower {
                switch message.body {
                case .poll(let poll, _):
                    core.receive(frame: NodeCoreTests.frame(.pollReply(poll, granted: true)), from: Self.follower)
                case .prepare(let prepare, _):
                    core.receive(frame: NodeCoreTests.frame(.promise(prepare, appliedThrough: 0, entries: [])), from: Self.follower)
                    ballot = prepare
                default:
                    break
                }
            }
        }
        let leading = try #require(ballot)
        // The election's no-op slots and first round, answered by node 3, every record durable.
        for _ in 0..<3 {
            let (_, sent) = try CounterBoundsTests.run(&core, ticks: 1)
            for message in sent where message.to == Self.follower {
                if case .accept(let ballot, let slot, _, _) = message.body {
                    core.receive(frame: NodeCoreTests.frame(.accepted(ballot, slot: slot)), from: Self.follower)
                }
            }
        }
        #expect(core.leaderCount == 1)
        return (core, leading)
    }

    static func put(_ sequence: UInt64) -> ClientRequest {
        ClientRequest(id: RequestID(client: ClientID(1), sequence: sequence), cell: NodeCoreTests.cell, operation: .put(Key("k"), Array("v".utf8)))
    }

    /// The accepts the effects carry: destination, slot and commit point.
    static func accepts(_ effects: NodeEffects) throws -> [(to: NodeID, slot: Slot, commit: Slot)] {
        try NodeCoreTests.messages(effects).compactMap { message in
            guard case .accept(_, let slot, _, let commit) = message.body else { return nil }
            return (message.to, slot, commit)
        }
    }

    static func applied(_ effects: NodeEffects) -> [Slot] {
        effects.notes.compactMap { note in
            guard case .cell(let event) = note, case .applied(let slot, _) = event.event else { return nil }
            return slot
        }
    }

    @Test("a leader's accepts leave with its record of the slot still pending; the write is answered once that record is durable")
    func acceptsLeaveAtOnce() throws {
        var (core, ballot) = try Self.leader()
        core.submit(Self.put(1), waiter: WaiterID(1), timeoutTicks: 1_000)
        let proposed = core.takeEffects()
        let append = try #require(proposed.append, "the leader's vote is persisted")
        let accepts = try Self.accepts(proposed)
        #expect(accepts.map(\.to) == [NodeID(2), NodeID(3)], "the accepts leave before the record is durable")
        let slot = try #require(accepts.first?.slot)
        #expect(append.records.contains { if case .accepted(slot, _) = $0.record { true } else { false } })
        #expect(try NodeCoreTests.messages(proposed).allSatisfy { $0.to != core.node }, "the leader's own vote never leaves the node")
        #expect(core.releasedTicket < append.ticket, "the accepts rest on no record")

        // Node 3's vote comes back first: one of two durable votes, not a majority.
        core.receive(frame: NodeCoreTests.frame(.accepted(ballot, slot: slot)), from: Self.follower)
        let answered = core.takeEffects()
        #expect(answered.answers.isEmpty && Self.applied(answered).isEmpty, "the leader's own vote is not durable yet")

        core.durable(through: append.ticket)
        let durable = core.takeEffects()
        #expect(Self.applied(durable) == [slot], "the leader's vote came back to it: the slot is chosen")
        #expect(durable.answers.map(\.waiter) == [WaiterID(1)])
    }

    @Test("an accept that leaves before the leader's record is durable carries a commit point made of durable votes")
    func earlyAcceptCommitRestsOnDurableVotes() throws {
        try Self.commitOfEarlyAccept(defects: [], expectingFirstSlotCommitted: false)
    }

    @Test("with the countsOwnVoteBeforeDurable defect, such an accept commits a slot whose leader vote is unwritten")
    func defectCountsOwnVoteBeforeDurable() throws {
        try Self.commitOfEarlyAccept(defects: [.countsOwnVoteBeforeDurable], expectingFirstSlotCommitted: true)
    }

    /// Proposes two writes one after the other, node 3 voting for the first while the
    /// leader's record of it is not durable; checks the second accept's commit point.
    static func commitOfEarlyAccept(defects: Set<Defect>, expectingFirstSlotCommitted: Bool) throws {
        var (core, ballot) = try Self.leader(defects: defects)
        core.submit(Self.put(1), waiter: WaiterID(1), timeoutTicks: 1_000)
        let first = try #require(try Self.accepts(core.takeEffects()).first?.slot)
        core.receive(frame: NodeCoreTests.frame(.accepted(ballot, slot: first)), from: Self.follower)
        _ = core.takeEffects()
        core.submit(Self.put(2), waiter: WaiterID(2), timeoutTicks: 1_000)
        let second = try #require(try Self.accepts(core.takeEffects()).first { $0.slot == first + 1 })
        #expect((second.commit >= first) == expectingFirstSlotCommitted, "commit \(second.commit) with slot \(first) durable at one replica only")
    }

    @Test("a follower's accepted still leaves only once its record of the slot is durable")
    func followerVoteWaits() throws {
        var core = try NodeCoreTests.core()
        let ballot = Ballot(epoch: 1, round: 5, node: NodeID(2))
        core.receive(frame: NodeCoreTests.frame(.accept(ballot, slot: 1, batch: [.noop], commit: 0)), from: NodeID(2))
        let voted = core.takeEffects()
        let append = try #require(voted.append)
        #expect(try NodeCoreTests.messages(voted).isEmpty, "neither the vote nor anything else leaves")
        core.durable(through: append.ticket)
        #expect(try NodeCoreTests.messages(core.takeEffects()).map(\.body) == [.accepted(ballot, slot: 1)])
    }

    @Test("a leader restarted without the record of an accept it sent stands with a higher ballot, never again with that one")
    func restartedLeaderNeverReusesItsBallot() throws {
        let ballot = Ballot(epoch: 1, round: 4, node: NodeID(1))
        var durable = DurableCellState()
        durable.apply(.snapshot(CellState(configuration: try CellConfiguration(epoch: 1, members: NodeCoreTests.members, startSlot: 1))))
        durable.apply(.promise(ballot))
        var core = NodeCore(
            node: NodeID(1), durable: [NodeCoreTests.cell: durable], options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 3)
        // A restarted replica rests until its cell has work: a write wakes it.
        core.submit(Self.put(1), waiter: WaiterID(1), timeoutTicks: 1_000)
        let (_, sent) = try CounterBoundsTests.run(&core, ticks: 1_000)
        let stood = sent.compactMap { message -> Ballot? in
            if case .poll(let poll, _) = message.body { poll } else { nil }
        }
        #expect(!stood.isEmpty, "the restarted replica stands for election")
        #expect(stood.allSatisfy { $0 > ballot }, "every candidacy is above the ballot of the lost accept")
        #expect(core.leaderCount == 0)
    }
}
