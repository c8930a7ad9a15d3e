@_spi(Testing) import ColonyCore
import Testing

/// A node acts for the quiescent followers of a peer that stops sending liveness heartbeats
/// or restarts: the successors here wake at a bounded rate and stand, the others wait for
/// theirs; heartbeats keep them resting.
@Suite("liveness between nodes")
struct LivenessTests {
    static let leader = NodeID(1)
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    /// A host on node 2 with `count` cells whose leader on node 1 told them to rest.
    static func restingFollowers(_ count: Int, members: [NodeID] = members, options: ReplicaOptions = ReplicaOptions()) throws -> ReplicaHost {
        var host = ReplicaHost(node: NodeID(2), options: options, seed: 7)
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        let ballot = Ballot(epoch: 1, round: 1, node: leader)
        for index in 0..<count {
            let cell = CellID("cell-\(index)")
            _ = host.createCell(cell, configuration: configuration)
            _ = host.receive([PeerMessage(cell: cell, body: .quiesce(ballot, commit: 0))], from: leader)
        }
        return host
    }

    @Test("followers rest while their leader's node sends liveness heartbeats")
    func heartbeatsKeepThemResting() throws {
        var host = try Self.restingFollowers(5)
        #expect(host.quiescentCount == 5)
        for tick in 1...1_000 {
            if tick % 10 == 0 { host.receiveLiveness(from: Self.leader, incarnation: 42) }
            #expect(host.tick().isEmpty)
        }
        #expect(host.quiescentCount == 5)
    }

    /// Of `count` cells led by node 1, those whose successor (the member standing once node 1
    /// is gone) is node 2, the host's own node; node 3 stands for the others.
    static func succeededHere(_ count: Int) -> Set<CellID> {
        Set((0..<count).map { CellID("cell-\($0)") }.filter {
            ReplicaHost.firstCandidate(of: $0, among: [NodeID(2), NodeID(3)]) == NodeID(2)
        })
    }

    @Test("a silent leader's followers act after the liveness timeout: the successors here wake, at most wakesPerTick a tick, and stand; the others wait for theirs")
    func silenceWakesAtABoundedRate() throws {
        var options = ReplicaOptions()
        options.wakesPerTick = 2
        var host = try Self.restingFollowers(10, options: options)
        let here = Self.succeededHere(10)
        try #require(here.count >= 3 && here.count <= 7, "the successors spread over both nodes: \(here.count) here")
        var resting: [Int] = []
        var polls = 0
        for _ in 0..<(options.livenessTimeoutTicks + options.electionJitterTicks + 10) {
            let output = host.tick()
            resting.append(host.quiescentCount)
            polls += output.batches.flatMap(\.messages).filter { if case .poll = $0.body { return true } else { return false } }.count
        }
        let timeout = Int(options.livenessTimeoutTicks)
        #expect(resting[timeout - 1] == 10, "woken before the timeout")
        #expect(resting[timeout] == 10 - 2 && resting[timeout + 1] == 10 - min(4, here.count), "two a tick")
        #expect(resting.last == 10 - here.count, "the others rest")
        #expect(polls >= here.count * 2, "every successor here polls both other members (\(polls) polls)")
        #expect(Set(host.trustedLeaders.map(\.cell)) == Set((0..<10).map { CellID("cell-\($0)") }).subtracting(here))
        #expect(host.trustedLeaders.allSatisfy { $0.leader == NodeID(3) }, "they wait for node 3")
        #expect(host.census.withoutLeader == 10, "no cell has an elected leader")
    }

    @Test("a follower waiting for a successor that never speaks stands itself once candidateWaitTicks pass")
    func silentSuccessorIsReplaced() throws {
        var options = ReplicaOptions()
        options.candidateWaitTicks = 200
        var host = try Self.restingFollowers(10, options: options)
        let waiting = 10 - Self.succeededHere(10).count
        var resting: [Int] = []
        for tick in 1...(options.livenessTimeoutTicks + 250) {
            if tick % 10 == 0 { host.receiveLiveness(from: NodeID(3), incarnation: 7) }
            _ = host.tick()
            resting.append(host.quiescentCount)
        }
        let timeout = Int(options.livenessTimeoutTicks)
        #expect(resting[timeout + 150] == waiting, "node 3's liveness heartbeats keep them waiting for a while")
        #expect(resting.last == 0, "then they stand")
    }

    @Test("candidates that go silent one after another do not put off standing past the first wait")
    func silentCandidatesOneAfterAnother() throws {
        var options = ReplicaOptions()
        options.candidateWaitTicks = 200
        var host = try Self.restingFollowers(20, members: (1...5).map(NodeID.init), options: options)
        // No node speaks: a follower waiting for a successor finds it silent too and waits for
        // the next candidate among the others, which may be node 1 again, and so on.
        var restingAt: [Int] = []
        for _ in 0..<(options.livenessTimeoutTicks + options.candidateWaitTicks + 10) {
            _ = host.tick()
            restingAt.append(host.quiescentCount)
        }
        #expect(restingAt.last == 0, "every follower stood within the first wait: \(restingAt.last ?? -1) rest")
    }

    @Test("a leader's node whose frame names a new incarnation has restarted: the successors here wake, the others wait for theirs")
    func newIncarnationWakes() throws {
        var host = try Self.restingFollowers(10)
        host.receiveLiveness(from: Self.leader, incarnation: 42)
        _ = host.tick()
        #expect(host.quiescentCount == 10)
        host.noteIncarnation(of: Self.leader, 43)
        _ = host.tick()
        #expect(host.quiescentCount == 10 - Self.succeededHere(10).count)
        #expect(host.trustedLeaders.allSatisfy { $0.leader == NodeID(3) })
    }

    @Test("with the defect, a silent leader's followers rest for good")
    func defectNeverWakes() throws {
        var options = ReplicaOptions()
        options.defects = [.quiescentFollowersTrustDeadLeader]
        var host = try Self.restingFollowers(3, options: options)
        for _ in 0..<1_000 { _ = host.tick() }
        #expect(host.quiescentCount == 3)
    }
}
