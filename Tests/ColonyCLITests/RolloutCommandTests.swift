import ColonyNode
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony rollout` against a dev colony of three node processes (one per zone) under a
/// checked load: a rollout to the rehearsal build, one whose restarted node never comes back,
/// and one an alarm stops; the last two roll back by themselves.
@Suite("colony rollout: restarts in waves, rolled back on a failed node or an alarm", .serialized, .colonyTurn)
struct RolloutCommandTests {
    @Test(
        "zone by zone to the rehearsal build; a node that does not come back and a latency alarm each stop the rollout and roll back the nodes it restarted; with a node down, nothing is restarted; the load stays linearizable",
        .timeLimit(.minutes(5)))
    func rolloutAndRollbacks() async throws {
        let folder = NSTemporaryDirectory() + "colony-rollout-\(UUID().uuidString)"
        defer { DevColonyCommandTests.stop(folder) }
        let colony = CommandRun.executable.path
        let environment = ["COLONY_DEV_DIR": folder]
        let rehearsal = environment.merging([NodeBuild.rehearsalVariable: "1"]) { $1 }
        func run(_ arguments: [String], _ environment: [String: String] = environment) async throws -> CommandRun {
            try await CommandRun.run(arguments, environment: environment, within: .seconds(120))
        }

        let up = try await run(["dev", "up", "--nodes", "3"])
        try #require(up.status == 0, "dev up: \(up.output)\(up.errors)")
        async let load = run(["load", "--cells", "r1,r2", "--create-on", "1,2,3", "--clients", "4", "--duration", "75s"])

        // Upgrade: the rollout's environment makes every node it restarts a rehearsal build.
        let rollout = try await run(
            ["rollout", "--restart", "\(colony) dev restart {node}", "--rollback", "env -u \(NodeBuild.rehearsalVariable) \(colony) dev restart {node}",
             "--observe-seconds", "3"],
            rehearsal)
        #expect(rollout.status == 0 && rollout.output.contains("rolled out to 3 nodes, zone by zone"), "\(rollout)")
        let order = rollout.output.split(separator: "\n").filter { $0.hasSuffix("restarting") }
        #expect(order == ["node 1 (zone z1): restarting", "node 2 (zone z2): restarting", "node 3 (zone z3): restarting"], "\(rollout.output)")
        try await Self.expectEveryNode(isRehearsal: true, environment)
        let pids = try #require(DevColony.load(from: folder)).processes.map(\.pid)

        // A restart after which the node never serves: the rollout waits, then rolls it back.
        let stuck = try await run(
            ["rollout", "--restart", "\(colony) dev stop {node}", "--rollback", "\(colony) dev restart {node}", "--wait-seconds", "5"], rehearsal)
        #expect(stuck.status != 0, "\(stuck)")
        #expect(stuck.errors.contains("node 1 restarted, and after 5 s node 1 does not serve") && stuck.errors.contains("rolled back nodes 1"), "\(stuck)")
        let afterStuck = try #require(DevColony.load(from: folder)).processes.map(\.pid)
        #expect(afterStuck[1...] == pids[1...], "nodes 2 and 3 were restarted: \(pids) then \(afterStuck)")
        try await Self.expectEveryNode(isRehearsal: true, environment)

        // An alarm: no 99th percentile is ever under 50 µs, so the first restart trips it.
        let alarmed = try await run(
            ["rollout", "--restart", "env -u \(NodeBuild.rehearsalVariable) \(colony) dev restart {node}", "--rollback", "\(colony) dev restart {node}",
             "--observe-seconds", "3", "--p99-max-ms", "0.05"],
            rehearsal)
        #expect(alarmed.status != 0, "\(alarmed)")
        #expect(alarmed.errors.contains("alarm after node 1's restart: the 99th percentile") && alarmed.errors.contains("rolled back nodes 1, each serving again"), "\(alarmed)")
        try await Self.expectEveryNode(isRehearsal: true, environment)

        // With node 3 down, restarting node 1 would leave its cells one voting member of three.
        #expect(try await run(["dev", "stop", "3"]).status == 0)
        let unsafe = try await run(["rollout", "--restart", "\(colony) dev restart {node}", "--wait-seconds", "3"], rehearsal)
        #expect(unsafe.status != 0 && unsafe.errors.contains("it is not safe to restart node 1") && unsafe.errors.contains("no node was restarted"), "\(unsafe)")
        #expect(try await run(["dev", "restart", "3"], rehearsal).status == 0)

        let checked = try await load
        #expect(checked.status == 0 && checked.output.contains("verdict: linearizable"), "\(checked.output)\(checked.errors)")
    }

    /// Expects `colony upgrade status` to show every node on the rehearsal build, or none.
    static func expectEveryNode(isRehearsal: Bool, _ environment: [String: String]) async throws {
        let status = try await CommandRun.run(["upgrade", "status", "--json"], environment: environment)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any], "\(status)")
        let versions = (object["nodes"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }
        let expected = isRehearsal ? "\(NodeBuild.release)+rehearsal" : NodeBuild.release
        #expect(versions == Array(repeating: expected, count: 3), "\(status.output)")
    }
}
