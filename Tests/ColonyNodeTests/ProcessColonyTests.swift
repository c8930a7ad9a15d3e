import ColonyCheck
import ColonyClient
import ColonyCore
import ColonyNode
import Foundation
import Testing
@testable import colony

/// A colony of real `colony node` processes on loopback, a checked workload, and nodes
/// killed and stopped under it.
@Suite("a colony of node processes under load, with SIGKILL and SIGTERM", .serialized)
struct ProcessColonyTests {
    /// The `colony` executable built beside the tests.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("colony")
    }

    @Test("7 processes: a checked load while one node is SIGKILLed and another SIGTERMed, each restarted")
    func loadWithKillAndTerm() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-processes-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(count: 7, directory: root, executable: Self.executable.path)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }

        let admin = try ColonyClient(nodes: colony.clientAddresses)
        let cells = ["alpha", "beta", "gamma"]
        for cell in cells {
            _ = try await admin.createCell(cell, nodes: [1, 2, 3, 4, 5, 6, 7])
        }
        await admin.close()

        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(5)
        var runner = LoadRunner(nodes: colony.clientAddresses, cells: cells)
        runner.clients = 8
        runner.duration = .seconds(8)
        runner.policy = policy
        let load = runner
        async let history = load.run()

        // Under the load: node 3 loses power, node 5 is stopped politely; both come back.
        try await Task.sleep(for: .seconds(2))
        colony.signal(3, SIGKILL)
        try await Task.sleep(for: .seconds(1))
        colony.signal(5, SIGTERM)
        try await Task.sleep(for: .seconds(1))
        try colony.launch(3)
        try await Task.sleep(for: .seconds(1))
        try colony.launch(5)

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let finalReads = events.suffix(2 * cells.count * runner.keysPerCell).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == cells.count * runner.keysPerCell, "some final reads went unanswered")
        let completed = events.filter { $0.type == .ok }.count
        #expect(completed > 100, "the load made little progress: \(completed) operations")
    }
}
