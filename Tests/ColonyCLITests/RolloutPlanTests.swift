import ColonyControl
import ColonyCore
import ColonyPlacement
import Testing
@testable import colony

/// The pure parts of `colony rollout`: the order, the commands, and the alarms.
@Suite("colony rollout: order, commands and alarms")
struct RolloutPlanTests {
    static func node(_ id: UInt32, zone: String, state: NodeState = .active) -> NodeRecord {
        NodeRecord(id: id, peerAddress: "10.0.0.\(id):7100", clientAddress: "db\(id).example.com:7101", zone: zone, rack: "r\(id)", state: state)
    }

    @Test("zone by zone in name order, ids in order within a zone, gone nodes left out; the template takes each node's facts")
    func orderAndCommands() {
        let nodes = [Self.node(4, zone: "b"), Self.node(1, zone: "b"), Self.node(3, zone: "a"), Self.node(2, zone: "a", state: .gone), Self.node(5, zone: "c", state: .draining)]
        #expect(RolloutPlan.order(nodes).map(\.id) == [3, 1, 4, 5])
        #expect(RolloutPlan.command("ssh {host} restart colony-{node} # {zone}/{rack}", for: Self.node(4, zone: "b")) == "ssh db4.example.com restart colony-4 # b/r4")
    }

    static let page = """
        colony_requests_total{operation="put",outcome="ok"} 90
        colony_requests_total{operation="get",outcome="ok"} 5
        colony_requests_total{operation="put",outcome="unavailable"} 5
        colony_requests_total{operation="cas",outcome="conditionFailed"} 0
        colony_request_duration_seconds_bucket{operation="put",le="0.001"} 50
        colony_request_duration_seconds_bucket{operation="put",le="0.01"} 98
        colony_request_duration_seconds_bucket{operation="put",le="0.1"} 100
        colony_request_duration_seconds_bucket{operation="put",le="+Inf"} 100
        """

    @Test("figures add up over nodes and subtract; the quantile is the bound of the first bucket that holds it")
    func figures() {
        let two = RequestFigures.sum([RequestFigures(metrics: Self.page), RequestFigures(metrics: Self.page)])
        #expect(two.requests == 200 && two.unavailable == 10)
        #expect(two.buckets[.infinity] == 200 && two.buckets[0.01] == 196)
        let window = two.since(RequestFigures(metrics: Self.page))
        #expect(window == RequestFigures(metrics: Self.page))
        #expect(window.duration(atQuantile: 0.5) == 0.001)
        #expect(window.duration(atQuantile: 0.99) == 0.1)
        #expect(RequestFigures().duration(atQuantile: 0.99) == nil)
        #expect(RequestFigures(metrics: Self.page).since(two) == RequestFigures(metrics: Self.page), "a node whose counts went down restarted: counted from zero")
        #expect(RequestFigures.sum([window, window]) == two)
    }

    static func cell(_ members: [UInt32], voting: [UInt32]) -> ObservedCell {
        let replicas = Dictionary(uniqueKeysWithValues: voting.map {
            (NodeID($0), ObservedCell.Replica(epoch: 1, isMember: true, isDamaged: false, appliedThrough: 5))
        })
        return ObservedCell(epoch: 1, members: members.map(NodeID.init), replicas: replicas)
    }

    @Test("a node is restarted only when every node lists its replicas and each of its cells keeps a voting majority without it")
    func safeToRestart() {
        let healthy = ["a": Self.cell([1, 2, 3], voting: [1, 2, 3]), "b": Self.cell([2, 3, 4], voting: [2, 3, 4])]
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: healthy, unreachable: [], next: NodeID(1)) == nil)
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: healthy, unreachable: [4], next: NodeID(1)) == "node 4 does not list its replicas")
        // Node 4 is not back yet: cell b keeps only node 3 without node 2.
        let behind = ["a": Self.cell([1, 2, 3], voting: [1, 2, 3]), "b": Self.cell([2, 3, 4], voting: [2, 3])]
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: behind, unreachable: [], next: NodeID(1)) == nil, "cell b does not hold node 1")
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: behind, unreachable: [], next: NodeID(2))?.contains("cell b would keep 1 of its 3 members voting without node 2") == true)
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: behind, unreachable: [], next: nil) == nil, "two of three vote")
        let lost = ["a": Self.cell([1, 2, 3], voting: [1]), "b": Self.cell([2, 3, 4], voting: [2, 3, 4])]
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: lost, unreachable: [], next: nil) == "cell a has 1 of its 3 members voting, not a majority")
        #expect(RolloutPlan.problem(placed: ["a", "b", "c"], cells: healthy, unreachable: [], next: nil) == "no node lists a replica of cell c")
        // A cell the directory does not place (made on given nodes, or reserved) is judged too.
        let directoryShort = healthy.merging(["_directory": Self.cell([1, 2, 3], voting: [1])]) { $1 }
        #expect(RolloutPlan.problem(placed: ["a", "b"], cells: directoryShort, unreachable: [], next: nil)?.contains("cell _directory") == true)
    }

    @Test("an alarm fires on too many unavailable answers or a slow 99th percentile, and never on a window of too few requests")
    func alarms() {
        let window = RequestFigures(metrics: Self.page)
        #expect(RolloutAlarms(unavailableShareMax: 0.1, p99SecondsMax: 1).firing(window) == nil)
        #expect(RolloutAlarms(unavailableShareMax: 0.01, p99SecondsMax: 1).firing(window)?.contains("5 of 100 requests (5.0%) were answered unavailable") == true)
        #expect(RolloutAlarms(unavailableShareMax: 0.1, p99SecondsMax: 0.05).firing(window)?.contains("took up to 100 ms, above the 50 ms allowed") == true)
        #expect(RolloutAlarms(unavailableShareMax: 0, p99SecondsMax: 0.001, requestsMin: 101).firing(window) == nil)
    }
}
