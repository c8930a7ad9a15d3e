import ColonyCheck
import ColonyClient
import ColonyCore
import ColonyNode
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// Many cells on few node processes, most of them at rest while a checked load touches a
/// few at a time; then the node leading the most cells dies without a word, and its cells'
/// followers must notice it through the nodes' liveness frames, not the cells' heartbeats.
@Suite("many mostly idle cells on node processes, their busiest leader SIGKILLed", .serialized, .colonyTurn)
struct ManyCellsProcessTests {
    static let cellCount = 2_000

    @Test(
        "3 processes, 2,000 cells: the node leading most of them is SIGKILLed under a checked load; every key reads back",
        .timeLimit(.minutes(8)))
    func busiestLeaderKilled() async throws {
        let executable = ProcessColonyTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-many-cells-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(count: 3, directory: root, executable: executable.path)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let cells = (0..<Self.cellCount).map { "tenant-\($0)" }
        // Creations wait for their node as long as a busy machine makes them (32 at once).
        var creating = ColonyClient.Policy()
        creating.attemptTimeout = .seconds(20)
        let admin = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS, policy: creating)
        try await Self.create(cells, with: admin)
        await admin.close()

        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(10)
        // The client keeps its default retry budget: the final reads touch every cell, a third
        // of which elect a leader again after the kill, and answers that no leader is known yet
        // must not spend it (with them as retries, 331 of 2,000 reads once failed as "the
        // retry budget is spent").
        var runner = LoadRunner(nodes: colony.clientAddresses, tls: colony.clientTLS, cells: cells)
        runner.clients = 8
        runner.keysPerCell = 1
        runner.duration = .seconds(300)
        runner.policy = policy
        let load = runner
        let log = HistoryLog()
        async let history = load.run(history: log)

        let progress = LoadProgress(log: log, perStep: 100, within: .seconds(90))
        try await progress.wait("before the kill")
        let leaders = colony.configs.map { config in
            config.own.adminAddress.flatMap { AdminScrape.get("/metrics", from: $0) }.flatMap { AdminScrape.metric("colony_leaders", in: $0) } ?? 0
        }
        let resting = colony.configs.map { config in
            config.own.adminAddress.flatMap { AdminScrape.get("/metrics", from: $0) }
                .flatMap { AdminScrape.metric("colony_resting_replicas", in: $0) } ?? 0
        }
        #expect(resting.reduce(0, +) > Double(Self.cellCount), "most replicas rest under a load that touches few cells: \(resting)")
        let busiest = try #require(leaders.indices.max { leaders[$0] < leaders[$1] })
        let victim = colony.configs[busiest].node
        await colony.signal(victim, SIGKILL)
        try await progress.wait("with node \(victim), which led \(Int(leaders[busiest])) cells, killed")
        try colony.launch(victim)
        try await colony.waitUntilServing(victim)
        try await progress.wait("after node \(victim) came back")
        await log.stop()

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let finalReads = events.suffix(2 * cells.count).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == cells.count, "\(cells.count - finalReads.count) final reads went unanswered")
    }

    /// Creates `cells` on nodes 1 to 3, 32 at a time.
    static func create(_ cells: [String], with admin: ColonyClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, cell) in cells.enumerated() {
                if index >= 32 { try await group.next() }
                group.addTask { _ = try await admin.createCell(cell, nodes: [1, 2, 3]) }
            }
            try await group.waitForAll()
        }
    }
}
