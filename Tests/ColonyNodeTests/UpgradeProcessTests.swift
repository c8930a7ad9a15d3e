import ColonyCheck
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode
@testable import colony

/// A rolling upgrade of a colony of node processes, and its rollback: the "next build" is the
/// same executable run with `COLONY_REHEARSAL_BUILD=1`, which reads format level 2 (level 1's
/// bytes under versions one higher) as well as level 1.
@Suite("a rolling upgrade, its rollback, and the format level raised", .serialized, .colonyTurn)
struct UpgradeProcessTests {
    /// The wrapper that makes a node process the rehearsal build.
    static let rehearsal = ["/usr/bin/env", "\(NodeBuild.rehearsalVariable)=1"]

    @Test(
        "3 processes under a checked load: upgraded node by node to the rehearsal build, rolled back node by node, upgraded again, then the level raised to 2; the build before then refuses the data at start, naming the versions, may not join, and stops by itself once it reads the level; 0 violations, every acknowledged write read back",
        .timeLimit(.minutes(5)))
    func upgradeRollbackFinish() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-upgrade-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 3, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let cells = ["u1", "u2"]
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory)
        }
        let load = LoadRunner.checked(on: colony, cells: cells, clients: 4, duration: .seconds(240))
        let log = HistoryLog()
        async let history = load.run(history: log)
        let progress = LoadProgress(log: log, perStep: 30, within: .seconds(60))
        try await progress.wait("before the upgrade")

        try await Self.roll(colony, to: Self.rehearsal, progress: progress, step: "upgrading")
        let upgraded = try await Self.status(colony)
        #expect(upgraded.recordedLevel == 1 && upgraded.versions == ["\(NodeBuild.release)+rehearsal"], "\(upgraded.raw)")
        #expect(upgraded.levelsRead == ["1-2"] && upgraded.levelsWritten == [1], "\(upgraded.raw)")
        #expect(upgraded.raw.contains("`colony upgrade finish` raises the colony to it"), "\(upgraded.raw)")

        try await Self.roll(colony, to: [], progress: progress, step: "rolling back")
        let rolledBack = try await Self.status(colony)
        #expect(rolledBack.versions == [NodeBuild.release] && rolledBack.levelsRead == ["1"], "\(rolledBack.raw)")
        let refused = try await ControlPlaneSupport.run(["upgrade", "finish", "--level", "2"], against: colony)
        #expect(refused.status != 0 && refused.error.contains("not every node reads format level 2"), "\(refused)")

        try await Self.roll(colony, to: Self.rehearsal, progress: progress, step: "upgrading again")
        let finish = try await ControlPlaneSupport.run(["upgrade", "finish"], against: colony)
        #expect(finish.status == 0 && finish.output.contains("writes format level 2 now"), "\(finish)")
        let finished = try await Self.status(colony)
        #expect(finished.recordedLevel == 2 && finished.levelsWritten == [2], "\(finished.raw)")
        try await progress.wait("after the level was raised")
        let again = try await ControlPlaneSupport.run(["upgrade", "finish", "--level", "1"], against: colony)
        #expect(again.status != 0 && again.error.contains("never lowered"), "\(again)")

        // The build before cannot come back: the node keeps the level it writes in its data
        // directory, and its log holds a segment of level 2 too.
        await colony.signal(3, SIGTERM)
        colony.wrappers[3] = nil
        try colony.launch(3)
        await #expect(throws: (any Error).self) { try await colony.waitUntilServing(3, timeout: .seconds(30)) }
        let nodeLog = try String(contentsOfFile: root + "/n3.log", encoding: .utf8)
        #expect(
            nodeLog.contains("this node's data is of format level 2 (its colony raised the level), and this build (\(NodeBuild.release)) reads format levels 1"),
            "node 3's log does not say which levels it reads: \(nodeLog.suffix(600))")
        try await progress.wait("with node 3 refusing the build before")
        await colony.signal(3, SIGTERM)
        colony.wrappers[3] = Self.rehearsal
        try colony.launch(3)
        try await colony.waitUntilServing(3)
        try await progress.wait("after node 3 came back on the new build")

        // A node of the build before cannot join a colony at level 2 (its admin endpoint says
        // what it reads, unless it has stopped already), and stops by itself once it reads the
        // colony's level.
        // It may stop before it first answers, so its start is not awaited as a success.
        let joining: UInt32 = 4
        _ = try? await colony.launchJoining(seeds: [1], zone: "z1", rack: "r2")
        let join = try await ControlPlaneSupport.run(["node", "join", "--config", root + "/n\(joining).json"], against: colony)
        #expect(join.status != 0 && join.error.contains("the colony writes format level 2"), "\(join)")
        let stopped = await ControlPlaneSupport.eventually(within: .seconds(30)) { colony.processes[joining]?.isRunning != true }
        let joiningLog = try String(contentsOfFile: root + "/n\(joining).log", encoding: .utf8)
        #expect(stopped && joiningLog.contains("the colony writes format level 2, and this build (\(NodeBuild.release)) reads levels 1"), "\(joiningLog.suffix(800))")
        await log.stop()

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let ended = events.filter { $0.type != .invoke }
        let errors = await log.errors
        print("rolling upgrade, rollback and raise under load: \(ended.count) operations, \(errors) ended in an error after the client's retries")
        #expect(errors * 20 <= ended.count, "more than 5% of operations ended in an error: \(errors) of \(ended.count)")
        // The load ends by reading every key through a fresh client: the last events.
        let finalReads = events.suffix(2 * cells.count * load.keysPerCell)
        #expect(finalReads.allSatisfy { $0.type != .fail }, "a key could not be read back after the load: \(finalReads)")
        await directory.client.close()
    }

    /// Restarts every node, one at a time, under `wrapper` (the rehearsal build, or none for
    /// the build before), each only once the one before serves and the load has gone on.
    static func roll(_ colony: LocalNodes, to wrapper: [String], progress: LoadProgress, step: String) async throws {
        for node in UInt32(1)...3 {
            await colony.signal(node, SIGTERM)
            colony.wrappers[node] = wrapper.isEmpty ? nil : wrapper
            try colony.launch(node)
            try await colony.waitUntilServing(node)
            try await progress.wait("\(step): after node \(node) restarted")
        }
    }

    /// `colony upgrade status --json`, read: the level recorded, and the distinct versions,
    /// levels read and levels written of the nodes.
    static func status(_ colony: LocalNodes) async throws -> (
        recordedLevel: Int, versions: Set<String>, levelsRead: Set<String>, levelsWritten: Set<Int>, raw: String
    ) {
        let run = try await ControlPlaneSupport.run(["upgrade", "status", "--json"], against: colony)
        try #require(run.status == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
        let nodes = try #require(object["nodes"] as? [[String: Any]], "\(run.output)")
        #expect(nodes.count == 3, "\(run.output)")
        return (
            object["recordedLevel"] as? Int ?? 0, Set(nodes.compactMap { $0["version"] as? String }),
            Set(nodes.compactMap { $0["levelsRead"] as? String }), Set(nodes.compactMap { $0["levelWritten"] as? Int }),
            run.output + "\n" + (object["verdict"] as? String ?? "")
        )
    }
}
