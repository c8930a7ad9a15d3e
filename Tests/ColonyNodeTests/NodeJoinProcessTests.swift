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

/// A node joins a running colony of node processes: no other node's file is edited and no
/// node restarts; the nodes learn its addresses from the directory.
@Suite("a node joins a running colony through the directory", .serialized, .colonyTurn)
struct NodeJoinProcessTests {
    @Test(
        "4 processes: a node whose file names only itself and node 1 joins under a checked load, takes a replica, serves a cell; no other node's file or process changed and the history is linearizable; declared gone, it leaves every node's book",
        .timeLimit(.minutes(3)))
    func joinUnderLoad() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-join-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 3, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let files = (1...3).map { root + "/n\($0).json" }
        let filesBefore = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let pidsBefore = colony.nodePids
        let cells = ["j1", "j2"]
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory)
        }
        try await directory.put(ControlSettings(movesPerSecond: 4))

        let load = LoadRunner.checked(on: colony, cells: cells, clients: 4, duration: .seconds(120))
        let log = HistoryLog()
        async let history = load.run(history: log)
        let progress = LoadProgress(log: log, perStep: 40, within: .seconds(60))
        try await progress.wait("before the join")

        let joining = try await colony.launchJoining(seeds: [1], zone: "z1", rack: "r2")
        let id = joining.node
        let joined = NodeID(id)
        let join = try await ControlPlaneSupport.run(["node", "join", "--config", root + "/n\(id).json"], against: colony)
        #expect(join.status == 0, "\(join.error)")
        #expect(join.output.contains("node \(id) joined"), "\(join.output)")
        let again = try await ControlPlaneSupport.run(["node", "join", "--config", root + "/n\(id).json"], against: colony)
        #expect(again.status == 0 && again.output.contains("recorded already"), "\(again.output) \(again.error)")

        try colony.launchControl(passMilliseconds: 100)
        let move = try await ControlPlaneSupport.run(["cell", "move", "j1", "--to", "2,3,\(id)"], against: colony)
        #expect(move.status == 0, "\(move.error)")
        let placed = await ControlPlaneSupport.eventually(within: .seconds(90)) {
            await Self.serves("j1", on: joined, directory: directory)
        }
        try #require(placed, "cell j1 did not move onto node \(id) in 90 s; see \(root)/control.log and \(root)/n\(id).log")
        try await progress.wait("after the move")

        // A client that knows only the new node reads and writes through it, redirected to
        // the leader by the addresses the new node learned from the directory.
        let through = try ColonyClient(nodes: [joining.own.clientAddress], tls: colony.clientTLS)
        try await through.put("j1", "joined", "through-\(id)")
        #expect(try await through.get("j1", "joined")?.text == "through-\(id)")
        let listed = try await through.listCells(at: joining.own.clientAddress)
        let replica = try #require(listed.first { $0.cell == "j1" }, "node \(id) hosts no replica of j1")
        #expect(!replica.damaged && replica.keyCount >= 1, "\(replica)")
        await through.close()
        try await progress.wait("after reading through the new node")
        await log.stop()

        // Every node keeps the new node in the peer book on its disk.
        for node in 1...3 {
            let kept = try PeerBookFile(directory: root + "/n\(node)").load() ?? []
            #expect(kept.contains { $0.id == joined.rawValue }, "node \(node)'s peer book: \(kept.map(\.id))")
        }
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == filesBefore, "a node's configuration file changed")
        #expect(Set(pidsBefore).isSubset(of: Set(colony.nodePids)), "a node restarted: \(pidsBefore) then \(colony.nodePids)")
        for pid in pidsBefore {
            #expect(kill(pid, 0) == 0, "node process \(pid) is not running")
        }

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let ended = events.filter { $0.type != .invoke }
        let errors = await log.errors
        print("node \(id) joined under load: \(ended.count) operations, \(errors) ended in an error after the client's retries")
        #expect(errors * 20 <= ended.count, "more than 5% of operations ended in an error: \(errors) of \(ended.count)")

        // Retired for good: its replica is re-placed, and every node's book drops it.
        let gone = try await ControlPlaneSupport.run(["node", "gone", "\(id)"], against: colony)
        #expect(gone.status == 0, "\(gone.error)")
        let replaced = await ControlPlaneSupport.eventually(within: .seconds(60)) {
            await ControlPlaneSupport.isReplaced(id, directory: directory)
        }
        #expect(replaced, "node \(id)'s replicas were not re-placed in 60 s; see \(root)/control.log")
        let dropped = await ControlPlaneSupport.eventually(within: .seconds(30)) {
            (1...3).allSatisfy { node in
                let kept = (try? PeerBookFile(directory: root + "/n\(node)").load()) ?? []
                return kept.contains { $0.id == id && $0.state == .gone }
            }
        }
        #expect(dropped, "some node's peer book does not record node \(id) as gone after 30 s")
        let rejoin = try await ControlPlaneSupport.run(["node", "join", "--config", root + "/n\(id).json"], against: colony)
        #expect(rejoin.status != 0 && rejoin.error.contains("gone"), "\(rejoin.output) \(rejoin.error)")
        await directory.client.close()
    }

    /// Whether `cell` is placed on `node` and settled: its record names the node with no move
    /// under way, and its members, as the nodes report them, are its record's, each caught up
    /// and voting.
    static func serves(_ cell: String, on node: NodeID, directory: Directory) async -> Bool {
        guard let snapshot = try? await directory.snapshot(),
              let record = snapshot.cells.first(where: { $0.cell.name == cell }),
              record.move == nil, record.placement.members.contains(node)
        else { return false }
        let (observed, _) = await ColonyObserver(client: directory.client).observe(snapshot.nodes)
        guard let seen = observed[cell], Set(seen.members) == Set(record.placement.members) else { return false }
        return seen.members.allSatisfy(seen.isReadyMember)
    }
}
