@_spi(Testing) import ColonyCore
import ColonyNodeCore
import Testing

/// A new cell's first election (`ReplicaHost+FirstElections.swift`): cells created in bulk
/// elect their first candidates, one candidacy a cell, at a bounded rate; a candidate that
/// cannot be reached is replaced by the others' own candidacies; a request meets the
/// candidate.
@Suite("a new cell's first election")
struct FirstElectionTests {
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    static func cells(_ count: Int) throws -> [(cell: CellID, configuration: CellConfiguration)] {
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        return (0..<count).map { (cell: CellID("cell-\($0)"), configuration: configuration) }
    }

    /// One new cell to create, its first candidate, and another of its members.
    static func oneCell() throws -> (
        created: [(cell: CellID, configuration: CellConfiguration)], cell: CellID, candidate: NodeID, other: NodeID
    ) {
        let created = try cells(1)
        let candidate = ReplicaHost.firstCandidate(of: created[0].cell, among: members)
        return (created, created[0].cell, candidate, members.first { $0 != candidate }!)
    }

    /// Whether every one of `cells` is led by some node.
    static func allLed(_ cells: [CellID], _ nodes: HandWiredNodes) -> Bool {
        cells.allSatisfy { cell in nodes.nodes.values.contains { $0.core.host.replica(cell)?.isLeader == true } }
    }

    @Test("cells created in bulk each elect their first candidate, in one candidacy, at most wakesPerTick a tick on a node")
    func bulkCreationElectsAtABoundedRate() throws {
        var options = ReplicaOptions()
        options.wakesPerTick = 40
        let (nodes, cells) = try Self.ledInBulk(900, options: options, limit: 200)
        for cell in cells {
            let candidate = ReplicaHost.firstCandidate(of: cell, among: Self.members)
            #expect(nodes.nodes[candidate]?.core.host.replica(cell)?.isLeader == true, "\(cell) is led by \(candidate)")
        }
        let perNodeTick = Dictionary(grouping: nodes.candidacies) { "\($0.node) \($0.tick)" }.values.map(\.count)
        #expect(perNodeTick.max() ?? 0 <= options.wakesPerTick)
        let firsts = Dictionary(grouping: cells) { ReplicaHost.firstCandidate(of: $0, among: Self.members) }.mapValues(\.count)
        #expect(firsts.values.allSatisfy { $0 > 200 }, "the first leaders spread over the members: \(firsts)")
        #expect(nodes.leaderNodeLosses.isEmpty, "no node took a live peer for silent")
    }

    @Test("a node keeping awakeReplicasMax replicas awake or more wakes a tenth of wakesPerTick a tick, and every cell is still led")
    func awakeReplicasSlowTheWakes() throws {
        let free = try ticksToLead(900, awakeReplicasMax: .max)
        let bounded = try ticksToLead(900, awakeReplicasMax: 30)
        // Each node is the first candidate of some 300 cells: 8 ticks of wakes at 40 a tick;
        // at 4 a tick, once 30 replicas are awake, some 65.
        #expect(bounded > free + 40, "\(bounded) ticks bounded, \(free) free")
    }

    /// The ticks until `count` cells created in bulk all have a leader, waking 40 a tick (a
    /// tenth of that with `awakeReplicasMax` replicas awake).
    func ticksToLead(_ count: Int, awakeReplicasMax: Int) throws -> Int {
        var options = ReplicaOptions()
        options.wakesPerTick = 40
        options.awakeReplicasMax = awakeReplicasMax
        return try Self.ledInBulk(count, options: options, limit: 2_000).nodes.ticks
    }

    /// `count` cells created in bulk on node 1, ticked until every one has a leader (expected
    /// within `limit` ticks), each in one candidacy.
    static func ledInBulk(_ count: Int, options: ReplicaOptions, limit: Int) throws -> (nodes: HandWiredNodes, cells: [CellID]) {
        var nodes = HandWiredNodes(members: members, options: options)
        let created = try cells(count)
        nodes.create(created, at: NodeID(1))
        nodes.deliverAll()
        let cells = created.map(\.cell)
        let led = nodes.tick(until: { allLed(cells, $0) }, limit: limit)
        #expect(led)
        #expect(nodes.candidacies.count == cells.count, "one candidacy a cell, not one a member")
        return (nodes, cells)
    }

    @Test("a first candidate that cannot be reached is replaced: the others wake after the liveness timeout and elect")
    func unreachableCandidateIsReplaced() throws {
        var nodes = HandWiredNodes(members: Self.members, options: ReplicaOptions())
        let (created, cell, candidate, creator) = try Self.oneCell()
        nodes.cutLinks = Set(Self.members.filter { $0 != candidate }.flatMap { [[candidate, $0], [$0, candidate]] })
        nodes.create(created, at: creator)
        nodes.deliverAll()
        let others = Self.members.filter { $0 != candidate }
        let led = nodes.tick(
            until: { nodes in others.contains { nodes.nodes[$0]?.core.host.replica(cell)?.isLeader == true } },
            limit: Int(ReplicaOptions().livenessTimeoutTicks) + 300)
        #expect(led)
        #expect(nodes.ticks > Int(ReplicaOptions().livenessTimeoutTicks), "the others waited for the candidate's node to go silent")
        // Each of the others noted the silence, once, with the one follower it filed to stand.
        let losses = nodes.leaderNodeLosses.filter { $0.loss.peer == candidate }
        #expect(losses.map(\.node).sorted() == others, "\(losses)")
        for (_, loss) in losses {
            guard case .silent(let ticks) = loss.cause else {
                Issue.record("\(loss)")
                continue
            }
            #expect(ticks > ReplicaOptions().livenessTimeoutTicks)
            #expect(loss.followers == 1)
        }
    }

    /// The first cell named `cell-N` whose first candidate is `candidate`.
    static func cell(standingFirst candidate: NodeID) -> CellID {
        (0...).lazy.map { CellID("cell-\($0)") }.first { ReplicaHost.firstCandidate(of: $0, among: members) == candidate }!
    }

    @Test(
        "a first candidate whose node never had the creation, while that node's liveness heartbeats go on, is replaced once candidateWaitTicks pass",
        arguments: [false, true])
    func candidateThatNeverHeardIsReplaced(waitsForGood: Bool) throws {
        var options = ReplicaOptions()
        if waitsForGood { options.candidateWaitTicks = 1_000_000 }
        var nodes = HandWiredNodes(members: Self.members, options: options)
        let candidate = NodeID(3)
        let configuration = try CellConfiguration(epoch: 1, members: Self.members, startSlot: 1)
        // A cell node 3 leads and that rests: node 3 owes the others liveness heartbeats.
        let quiet = Self.cell(standingFirst: candidate)
        nodes.create([(quiet, configuration)], at: NodeID(1))
        let rested = nodes.tick(until: { $0.nodes[candidate]?.core.host.replica(quiet)?.isQuiescent == true }, limit: 300)
        #expect(rested)
        // A new cell standing first on node 3, whose creation frame to node 3 is lost.
        let lost = (0...).lazy.map { CellID("lost-\($0)") }.first { ReplicaHost.firstCandidate(of: $0, among: Self.members) == candidate }!
        nodes.cutLinks = [[NodeID(1), candidate]]
        nodes.create([(lost, configuration)], at: NodeID(1))
        let start = nodes.ticks
        let led = nodes.tick(until: { nodes in
            [NodeID(1), NodeID(2)].contains { nodes.nodes[$0]?.core.host.replica(lost)?.isLeader == true }
        }, limit: Int(ReplicaOptions().candidateWaitTicks) + 300)
        if waitsForGood {
            #expect(!led, "nothing but the wait makes the others stand while node 3 sends heartbeats")
        } else {
            #expect(led)
            #expect(nodes.ticks - start >= Int(options.candidateWaitTicks))
        }
        #expect(nodes.nodes[candidate]?.core.host.replica(lost) == nil)
    }

    @Test("a first candidate whose election fails, the creation not yet at a majority, stands alone: the waiting members answer its polls at rest")
    func failedFirstElectionStandsAlone() throws {
        let five = (1...5).map { NodeID(UInt32($0)) }
        // A node process's liveness timeout: the candidate's polls, an election timeout apart,
        // keep its node live (the core's default, 50 ticks, is shorter than two of them).
        var options = ReplicaOptions()
        options.livenessTimeoutTicks = 300
        var nodes = HandWiredNodes(members: five, options: options)
        let configuration = try CellConfiguration(epoch: 1, members: five, startSlot: 1)
        let creator = NodeID(1)
        let cell = (0...).lazy.map { CellID("slow-\($0)") }.first { ReplicaHost.firstCandidate(of: $0, among: five) == NodeID(2) }!
        let late = five.filter { $0.rawValue >= 3 }
        // The creation reaches the creator and the candidate only: the candidate's polls find
        // two members of five knowing the cell, and its elections fail until the rest have it.
        nodes.cutLinks = Set(late.map { [creator, $0] })
        nodes.create([(cell, configuration)], at: creator)
        let window = 3 * Int(options.electionTimeoutTicks + options.electionJitterTicks)
        for _ in 0..<window { nodes.tick() }
        let stood = Set(nodes.candidacies.filter { $0.cell == cell }.map(\.node))
        #expect(stood.isSubset(of: [NodeID(2)]), "only the first candidate stands while its elections fail: \(stood)")
        #expect(nodes.nodes[creator]?.core.host.replica(cell)?.isQuiescent == true, "the creator's replica rests, awaiting the candidate")

        // The creation asked again reaches everyone: the candidate's next election wins.
        nodes.cutLinks = []
        nodes.create([(cell, configuration)], at: creator)
        let led = nodes.tick(until: { $0.nodes[NodeID(2)]?.core.host.replica(cell)?.isLeader == true }, limit: 500)
        #expect(led)
    }

    @Test("a request sent to a member waiting for the first election is redirected to the first candidate")
    func requestRedirectedToCandidate() throws {
        var nodes = HandWiredNodes(members: Self.members, options: ReplicaOptions())
        let (created, cell, candidate, other) = try Self.oneCell()
        nodes.create(created, at: candidate)
        nodes.deliverAll()
        nodes.submit(ClientRequest(id: RequestID(client: ClientID(1), sequence: 1), cell: cell, operation: .get(Key("k"))), to: other)
        let outcomes = nodes.answers.filter { $0.node == other }.map(\.answer.outcome)
        #expect(outcomes.count == 1)
        guard case .reply(let reply)? = outcomes.first, case .redirect(let leader, _) = reply.outcome else {
            Issue.record("expected a redirect, got \(outcomes)")
            return
        }
        #expect(leader == candidate)
    }
}
