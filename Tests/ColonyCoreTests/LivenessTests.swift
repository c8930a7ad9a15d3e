@_spi(Testing) import ColonyCore
import Testing

/// A node wakes the quiescent followers of a peer that stops sending liveness heartbeats or
/// restarts, at a bounded rate; heartbeats keep them resting.
@Suite("liveness between nodes")
struct LivenessTests {
    static let leader = NodeID(1)
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    /// A host on node 2 with `count` cells whose leader on node 1 told them to rest.
    static func restingFollowers(_ count: Int, options: ReplicaOptions = ReplicaOptions()) throws -> ReplicaHost {
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

    @Test("a silent leader's followers wake after the liveness timeout, at most wakesPerTick a tick, and stand")
    func silenceWakesAtABoundedRate() throws {
        var options = ReplicaOptions()
        options.wakesPerTick = 2
        var host = try Self.restingFollowers(5, options: options)
        var resting: [Int] = []
        var polls = 0
        // A follower whose cell picks node 3 to stand first gives it an election timeout.
        for _ in 0..<(options.livenessTimeoutTicks + options.electionTimeoutTicks + 2 * options.electionJitterTicks + 10) {
            let output = host.tick()
            resting.append(host.quiescentCount)
            polls += output.batches.flatMap(\.messages).filter { if case .poll = $0.body { return true } else { return false } }.count
        }
        let timeout = Int(options.livenessTimeoutTicks)
        #expect(resting[timeout - 1] == 5, "woken before the timeout")
        #expect(Array(resting[timeout...(timeout + 2)]) == [3, 1, 0])
        #expect(polls >= 5 * 2, "every woken follower polls both other members (\(polls) polls)")
    }

    @Test("a leader's node whose frame names a new incarnation has restarted: its followers wake")
    func newIncarnationWakes() throws {
        var host = try Self.restingFollowers(3)
        host.receiveLiveness(from: Self.leader, incarnation: 42)
        _ = host.tick()
        #expect(host.quiescentCount == 3)
        host.noteIncarnation(of: Self.leader, 43)
        _ = host.tick()
        #expect(host.quiescentCount == 0)
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
