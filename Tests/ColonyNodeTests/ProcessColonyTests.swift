import ColonyCheck
import ColonyClient
import ColonyCore
import ColonyNode
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// A colony of real `colony node` processes on loopback, a checked workload, and nodes
/// killed and stopped under it.
@Suite("a colony of node processes under load, with SIGKILL and SIGTERM", .serialized, .colonyTurn)
struct ProcessColonyTests {
    /// The `colony` executable built beside the tests.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("colony")
    }

    /// Operations that must complete between two steps of the fault schedule: each fault
    /// happens under load, and the colony must keep making progress through it.
    static let operationsPerStep = 60

    @Test(
        "7 processes: a checked load while one node is SIGKILLed and another SIGTERMed, each restarted",
        .timeLimit(.minutes(5)))
    func loadWithKillAndTerm() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-processes-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(count: 7, directory: root, executable: Self.executable.path)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }

        let admin = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)
        let cells = ["alpha", "beta", "gamma"]
        for cell in cells {
            _ = try await admin.createCell(cell, nodes: [1, 2, 3, 4, 5, 6, 7])
        }
        await admin.close()

        let load = LoadRunner.checked(on: colony, cells: cells, clients: 8, duration: .seconds(240))
        let log = HistoryLog()
        async let history = load.run(history: log)

        // Under the load, each step once the colony has made progress since the last: node 3
        // loses power, node 5 is stopped politely, and both come back.
        let progress = LoadProgress(log: log, perStep: Self.operationsPerStep, within: .seconds(60))
        try await progress.wait("before the faults")
        await colony.signal(3, SIGKILL)
        try await progress.wait("with node 3 killed")
        await colony.signal(5, SIGTERM)
        try await progress.wait("with nodes 3 and 5 down")
        try colony.launch(3)
        try await colony.waitUntilServing(3)
        try await progress.wait("after node 3 came back")
        try colony.launch(5)
        try await colony.waitUntilServing(5)
        try await progress.wait("after node 5 came back")
        await log.stop()

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let finalReads = events.suffix(2 * cells.count * load.keysPerCell).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == cells.count * load.keysPerCell, "some final reads went unanswered")
    }
}
