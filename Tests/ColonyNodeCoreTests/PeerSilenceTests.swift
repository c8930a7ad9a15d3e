@_spi(Testing) import ColonyCore
import ColonyNodeCore
import Testing

/// When a node takes a peer for dead (`ReplicaHost+Liveness.swift`): after no frame at all
/// from it for the liveness timeout, not after no heartbeat. A heartbeat can wait behind
/// thousands of other frames on the same connection while cells are made or elect.
@Suite("peer silence: any frame keeps a peer live; only silence wakes its followers")
struct PeerSilenceTests {
    static let members = FirstElectionTests.members

    @Test(
        "a leader's node whose heartbeats are lost while its other frames arrive stays trusted; when nothing arrives, its followers stand",
        arguments: [false, true])
    func heartbeatsLostOtherFramesArrive(everythingLost: Bool) throws {
        var nodes = HandWiredNodes(members: Self.members, options: ReplicaOptions())
        let leader = NodeID(1)
        let configuration = try CellConfiguration(epoch: 1, members: Self.members, startSlot: 1)
        let quiet = FirstElectionTests.cell(standingFirst: leader)
        let busy = (0...).lazy.map { CellID("busy-\($0)") }.first { ReplicaHost.firstCandidate(of: $0, among: Self.members) == leader }!
        nodes.create([(quiet, configuration), (busy, configuration)], at: leader)
        let rested = nodes.tick(until: { nodes in
            Self.members.allSatisfy { nodes.nodes[$0]?.core.host.replica(quiet)?.isQuiescent == true }
        }, limit: 300)
        #expect(rested)
        #expect(nodes.nodes[leader]?.core.host.replica(quiet)?.isLeader == true)

        // From here node 1's heartbeats (or all its frames) to the others are lost, while it
        // keeps writing to `busy`, so its accepts for that cell go on reaching them.
        let others = Self.members.filter { $0 != leader }
        if everythingLost {
            nodes.cutLinks = Set(others.map { [leader, $0] })
        } else {
            nodes.heartbeatsLost = Set(others.map { [leader, $0] })
        }
        let timeout = Int(ReplicaOptions().livenessTimeoutTicks)
        for sequence in 1...UInt64(4 * timeout) {
            if sequence % 5 == 0 {
                let put = ClientRequest(id: RequestID(client: ClientID(1), sequence: sequence), cell: busy, operation: .put(Key("k"), [1]))
                nodes.submit(put, to: leader)
            }
            nodes.tick()
        }
        let losses = nodes.leaderNodeLosses.filter { $0.loss.peer == leader }
        if everythingLost {
            #expect(losses.map(\.node).sorted() == others, "the others took node 1 for dead: \(losses)")
        } else {
            #expect(losses.isEmpty, "node 1's accepts vouched for it: \(losses)")
            for other in others {
                #expect(nodes.nodes[other]?.core.host.replica(quiet)?.isQuiescent == true, "\(quiet) still rests on \(other)")
            }
        }
    }
}
