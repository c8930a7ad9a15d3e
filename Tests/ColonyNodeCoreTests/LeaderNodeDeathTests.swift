@_spi(Testing) import ColonyCore
import ColonyNodeCore
import Testing

/// When a node that led many resting cells dies, each of its cells has one member stand, the
/// one the cell picks among the others (`ReplicaHost.firstCandidate`): both survivors queue
/// their picks first, and a follower woken by the pick's poll waits for it
/// (`QuietCells.leaderGone`, `CellReplica.wake`). Were every follower to stand in the same
/// order, the survivors would meet as rival candidates in many cells.
@Suite("a dead leader's cells: one candidate a cell, the one each picks")
struct LeaderNodeDeathTests {
    static let members = FirstElectionTests.members

    @Test("the survivors stand once a cell, each where the cell picks it, and the picks lead")
    func oneCandidateACell() throws {
        var options = ReplicaOptions()
        // A slow wake queue, so the survivors' queues overlap in time, and a short jitter, so
        // a woken pick (standing within 1 + jitter ticks) always stands before a woken
        // follower that is not the pick (waiting an election timeout at least).
        options.wakesPerTick = 2
        options.electionJitterTicks = 4
        var (nodes, cells) = try FirstElectionTests.ledInBulk(300, options: options, limit: 400)
        let dead = NodeID(1)
        let survivors = Self.members.filter { $0 != dead }
        let orphaned = cells.filter { nodes.nodes[dead]?.core.host.replica($0)?.isLeader == true }
        #expect(orphaned.count > 50, "node 1 led \(orphaned.count) cells")
        let rested = nodes.tick(until: { nodes in
            survivors.allSatisfy { node in orphaned.allSatisfy { nodes.nodes[node]?.core.host.replica($0)?.isQuiescent == true } }
        }, limit: 300)
        #expect(rested)

        nodes.cutLinks = Set(survivors.flatMap { [[dead, $0], [$0, dead]] })
        let before = nodes.candidacies.count
        let ledAgain = nodes.tick(until: { nodes in
            orphaned.allSatisfy { cell in survivors.contains { nodes.nodes[$0]?.core.host.replica(cell)?.isLeader == true } }
        }, limit: Int(options.livenessTimeoutTicks) + 1_000)
        #expect(ledAgain)

        let candidacies = nodes.candidacies[before...].filter { survivors.contains($0.node) }
        let byCell = Dictionary(grouping: candidacies, by: \.cell)
        for cell in orphaned {
            let pick = ReplicaHost.firstCandidate(of: cell, among: survivors)
            let stood = byCell[cell]?.map(\.node) ?? []
            #expect(stood == [pick], "\(cell): \(stood) stood, \(pick) is its pick")
            #expect(nodes.nodes[pick]?.core.host.replica(cell)?.isLeader == true)
        }
    }
}
