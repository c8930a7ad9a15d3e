import ColonyCheck
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// The control plane against real node processes: a drain under a checked load, the pause
/// switch stopping a drain, and cells that keep serving while the directory is down.
@Suite("the control plane drives a colony of node processes", .serialized, .colonyTurn)
struct ControlPlaneProcessTests {
    @Test(
        "8 processes: draining a node under a checked load moves every replica off it; every cell stays available and the history is linearizable",
        .timeLimit(.minutes(3)))
    func drainUnderLoad() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-drain-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 8, directoryReplicas: 5, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let cells = ["alpha", "beta", "gamma"]
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 5), quota: nil, directory: directory)
        }
        try await directory.put(ControlSettings(movesPerSecond: 4))
        let drained = ControlPlaneSupport.busiestNode(try await directory.snapshot())
        let hosted = try await directory.cells().filter { $0.placement.members.contains(NodeID(drained)) }.map(\.cell.name)

        let load = LoadRunner.checked(on: colony, cells: cells, clients: 6, duration: .seconds(150))
        let log = HistoryLog()
        async let history = load.run(history: log)

        let progress = LoadProgress(log: log, perStep: 60, within: .seconds(60))
        try await progress.wait("before the drain")
        try colony.launchControl(passMilliseconds: 100)
        _ = try await OperatorCommand.setState(node: drained, .draining).run(directory: directory)
        // The load is the clock: each check waits for more operations to complete, so the
        // drain is judged under load, and a stalled colony fails the wait.
        let deadline = ContinuousClock.now + .seconds(90)
        var isDrained = false
        while !isDrained, ContinuousClock.now < deadline {
            _ = await log.waitForCompleted(await log.completed + 10, within: .seconds(5))
            isDrained = await ControlPlaneSupport.isDrained(drained, colony: colony, directory: directory)
        }
        try #require(isDrained, "node \(drained) still holds replicas of \(hosted) after 90 s; see \(root)/control.log")
        // A client that asks the drained node first still learns each cell as its leader knows it.
        let drainedFirst = try ColonyClient(
            nodes: [colony.configs[Int(drained) - 1].own.clientAddress] + colony.clientAddresses, tls: colony.clientTLS)
        for cell in hosted {
            let info = try await drainedFirst.cellInfo(cell)
            #expect(info.leader != 0 && !info.configuration.members.contains { $0.node == drained }, "cell info of \(cell): \(info)")
        }
        await drainedFirst.close()
        try await progress.wait("after the drain")
        await log.stop()

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let ended = events.filter { $0.type != .invoke }
        let errors = await log.errors
        let conditionsFailed = ended.filter { $0.type == .fail && $0.function == .cas }.count
        print("drain of node \(drained) (cells \(hosted)) under load: \(ended.count) operations, \(errors) ended in an error after the client's retries, \(conditionsFailed) compare-and-sets failed")
        #expect(errors * 20 <= ended.count, "more than 5% of operations ended in an error while draining: \(errors) of \(ended.count)")
        let finalReads = events.suffix(2 * cells.count * load.keysPerCell).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == cells.count * load.keysPerCell, "some final reads went unanswered")
        let status = try #require(try await directory.status())
        #expect(status.movesStarted >= hosted.count && status.replicasToMove == 0, "\(status)")
        await directory.client.close()
    }

    @Test("control pause stops a running drain before its next move; resume finishes it", .timeLimit(.minutes(3)))
    func pauseStopsDrain() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-pause-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 7, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        for cell in ["c1", "c2", "c3", "c4", "c5", "c6"] {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory)
        }
        // One move every 2 s: the pause lands between two moves.
        try await directory.put(ControlSettings(movesPerSecond: 0.5))
        let drained = ControlPlaneSupport.busiestNode(try await directory.snapshot())
        let hosted = try await directory.cells().filter { $0.placement.members.contains(NodeID(drained)) }.count
        try #require(hosted >= 3, "node \(drained) holds \(hosted) replicas; the test needs 3 or more")
        let launched = ContinuousClock.now
        try colony.launchControl(passMilliseconds: 100)
        _ = try await OperatorCommand.setState(node: drained, .draining).run(directory: directory)
        let started = await ControlPlaneSupport.eventually(within: .seconds(30)) {
            ((try? await directory.status())?.movesStarted ?? 0) >= 1
        }
        try #require(started, "the drain did not start within 30 s; see \(root)/control.log")

        let pause = try await ControlPlaneSupport.run(["control", "pause"], against: colony)
        #expect(pause.status == 0, "\(pause.error)")
        #expect(pause.output.contains("the control loop saw it at pass"), "\(pause.output)")
        let acknowledged = try #require(try await directory.status())
        #expect(acknowledged.paused)
        // The throttle starts empty and earns one move every 2 s.
        let movesEarned = Int((ContinuousClock.now - launched) / .seconds(2))
        #expect(acknowledged.movesStarted <= movesEarned, "\(acknowledged.movesStarted) moves started in the time that earns \(movesEarned)")
        // Three move intervals of passes, all paused: no move may start in them.
        let quiet = await ControlPlaneSupport.eventually(within: .seconds(30)) {
            ((try? await directory.status())?.pass ?? 0) >= acknowledged.pass + 60
        }
        try #require(quiet, "the control loop stopped making passes")
        let later = try #require(try await directory.status())
        #expect(later.movesStarted == acknowledged.movesStarted, "a move started while paused: \(acknowledged.movesStarted) → \(later.movesStarted)")
        #expect(later.replicasToMove > 0, "the drain finished although paused")
        let stillThere = try await directory.cells().filter { $0.placement.members.contains(NodeID(drained)) }.count
        #expect(stillThere > 0)

        let resume = try await ControlPlaneSupport.run(["control", "resume"], against: colony)
        #expect(resume.status == 0, "\(resume.error)")
        let finished = await ControlPlaneSupport.eventually(within: .seconds(60)) {
            await ControlPlaneSupport.isDrained(drained, colony: colony, directory: directory)
        }
        #expect(finished, "the drain did not finish after resume; see \(root)/control.log")
        await directory.client.close()
    }

    @Test(
        "7 processes: a node killed and declared gone has every replica re-placed; each new replica catches up from a snapshot and holds its cell's data",
        .timeLimit(.minutes(3)))
    func goneNodeReplaced() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-gone-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 7, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let cells = ["g1", "g2", "g3", "g4"]
        let keys = (0..<10).map { "k\($0)" }
        let writer = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 5), quota: nil, directory: directory)
            for key in keys { try await writer.put(cell, key, "\(cell)-\(key)") }
        }
        await writer.close()
        try await directory.put(ControlSettings(movesPerSecond: 4))
        let before = try await directory.snapshot()
        let lost = ControlPlaneSupport.busiestNode(before)
        let hosted = before.cells.filter { $0.placement.members.contains(NodeID(lost)) }
        await colony.signal(lost, SIGKILL)
        try colony.launchControl(passMilliseconds: 100)
        _ = try await OperatorCommand.setState(node: lost, .gone).run(directory: directory)

        let replaced = await ControlPlaneSupport.eventually(within: .seconds(90)) {
            await ControlPlaneSupport.isReplaced(lost, directory: directory)
        }
        try #require(replaced, "the replicas of node \(lost) (\(hosted.map(\.cell.name))) were not re-placed in 90 s; see \(root)/control.log")
        let after = try await directory.cells()
        for old in hosted where cells.contains(old.cell.name) {
            let record = try #require(after.first { $0.cell == old.cell })
            let added = try #require(record.placement.members.first { !old.placement.members.contains($0) })
            // The new replica started without state, and one without state catches up only from a snapshot.
            let listed = try await directory.client.listCells(at: colony.configs[Int(added.rawValue) - 1].own.clientAddress)
            let summary = try #require(listed.first { $0.cell == old.cell.name }, "\(added) hosts no replica of \(old.cell.name)")
            #expect(summary.keyCount == UInt64(keys.count) && !summary.damaged, "\(old.cell.name) on \(added): \(summary.keyCount) keys, damaged \(summary.damaged)")
        }
        let reader = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        for cell in cells {
            for key in keys {
                #expect(try await reader.get(cell, key)?.text == "\(cell)-\(key)")
            }
        }
        await reader.close()

        // The loop moves each cell's lead to the member its placement prefers.
        let preferred = Dictionary(after.map { ($0.cell.name, $0.placement.preferredLeader) }, uniquingKeysWith: { first, _ in first })
        let ledAsPreferred = await ControlPlaneSupport.eventually(within: .seconds(30)) {
            for cell in cells {
                guard let leader = preferred[cell],
                      let listed = try? await directory.client.listCells(at: colony.configs[Int(leader.rawValue) - 1].own.clientAddress),
                      listed.first(where: { $0.cell == cell })?.leader == leader.rawValue
                else { return false }
            }
            return true
        }
        #expect(ledAsPreferred, "some cell of \(cells) is not led by its preferred leader (\(preferred)) after 30 s; see \(root)/control.log")

        // 5-replica cells beside a 3-replica directory: the report groups them, without the gone node.
        let report = try await ControlPlaneSupport.run(["placement", "report"], against: colony)
        #expect(report.status == 0, "\(report.error)")
        #expect(report.output.contains("6 nodes") && report.output.contains("3 replicas") && report.output.contains("5 replicas"), "\(report.output)")
        await directory.client.close()
    }

    @Test(
        "with the directory's majority stopped, a cell placed away from it keeps serving a warm client, and cell create says the directory is unreachable",
        .timeLimit(.minutes(3)))
    func staticStability() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-static-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 7, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let directoryMembers = try #require(try await directory.cell(ColonyDirectory.cell)).placement.members
        var chosen: PlacedCell?
        for cell in ["s1", "s2", "s3", "s4"] {
            let record = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory).record
            if chosen == nil, record.placement.members.filter(directoryMembers.contains).count <= 1 { chosen = record }
        }
        // A cell its members refuse (a quota over the colony's maxima) leaves no record behind.
        await #expect(throws: ControlError.self) {
            _ = try await CellCreation.create(
                PlacementRequest(cell: CellID("too-big"), replicas: 3), quota: ColonyClient.Quota(keysMax: .max), directory: directory)
        }
        #expect(try await directory.cell("too-big") == nil)
        // The placer bounds any two 3-replica cells to one shared node, the directory included.
        let cell = try #require(chosen, "every cell shares 2 or more nodes with the directory")
        let name = cell.cell.name
        let warm = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        try await warm.put(name, "k", "before")

        let stopped = Array(directoryMembers.sorted { !cell.placement.members.contains($0) && cell.placement.members.contains($1) }.prefix(2))
        for node in stopped {
            await colony.signal(node.rawValue, SIGKILL)
        }
        for round in 0..<20 {
            try await warm.put(name, "k", "during-\(round)")
            #expect(try await warm.get(name, "k")?.text == "during-\(round)")
        }

        let create = try await ControlPlaneSupport.run(["cell", "create", "after", "--replicas", "3"], against: colony)
        #expect(create.status != 0)
        #expect(create.error.contains("directory") && create.error.contains("unreachable"), "\(create.error)")
        #expect(create.error.contains("Existing cells keep serving"), "\(create.error)")
        await warm.close()
        await directory.client.close()
    }
}
