@_spi(Testing) import ColonyCore
import ColonyNodeCore
import Testing

/// An awake replica with nothing due is not ticked (`TickSchedule`): a leader kept awake
/// (quiescence off) is ticked once a heartbeat interval, its followers about once an election
/// timeout, where ticking every awake replica at every tick would tick each one each time.
@Suite("the node's clock ticks only the replicas with a timer due")
struct TickCostTests {
    @Test("awake idle cells cost a tick a heartbeat, not a tick a tick, and keep their leaders")
    func awakeIdleCellsAreTickedRarely() throws {
        var options = ReplicaOptions()
        options.quiesceIdleTicks = .max
        var (nodes, cells) = try FirstElectionTests.ledInBulk(100, options: options, limit: 2_000)
        let replicas = cells.count * FirstElectionTests.members.count
        let ticksBefore = Self.replicaTicks(nodes)
        let candidaciesBefore = nodes.candidacies.count
        let window = 300
        for _ in 0..<window { nodes.tick() }

        let ticked = Self.replicaTicks(nodes) - ticksBefore
        #expect(ticked < replicas * window / 5, "\(ticked) replica ticks for \(replicas) awake replicas over \(window) ticks")
        #expect(ticked >= cells.count * window / Int(options.heartbeatIntervalTicks), "every leader ticks each heartbeat")
        #expect(nodes.candidacies.count == candidaciesBefore, "no follower stood: each heard its leader in time")
    }

    static func replicaTicks(_ nodes: HandWiredNodes) -> Int {
        nodes.nodes.values.reduce(0) { $0 + $1.core.host.replicaTicks }
    }
}
