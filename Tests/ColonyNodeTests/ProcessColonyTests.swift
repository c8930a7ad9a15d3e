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
        let colony = try NodeProcesses(nodes: 7)
        for config in colony.configs { try colony.start(config.node) }
        for config in colony.configs { try await colony.waitUntilServing(config.node) }

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
        try colony.start(3)
        try await Task.sleep(for: .seconds(1))
        try colony.start(5)

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let finalReads = events.suffix(2 * cells.count * runner.keysPerCell).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == cells.count * runner.keysPerCell, "some final reads went unanswered")
        let completed = events.filter { $0.type == .ok }.count
        #expect(completed > 100, "the load made little progress: \(completed) operations")
    }
}

/// Node processes started by this test, by node id; every one is killed by pid at the end.
final class NodeProcesses {
    let root = NSTemporaryDirectory() + "colony-processes-\(UUID().uuidString)"
    var configs: [NodeConfig] = []
    var running: [UInt32: Process] = [:]

    init(nodes: Int) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        configs = try LocalNodes.configurations(nodes: nodes, directory: root)
        for config in configs {
            try JSONEncoder().encode(config).write(to: URL(fileURLWithPath: root + "/n\(config.node).json"))
        }
    }

    deinit {
        for process in running.values where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    var clientAddresses: [String] { configs.map(\.own.clientAddress) }

    func start(_ node: UInt32) throws {
        let process = Process()
        process.executableURL = ProcessColonyTests.executable
        process.arguments = ["node", "--config", root + "/n\(node).json", "--log-level", "warning"]
        let log = root + "/n\(node).log"
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        running[node] = process
    }

    /// Waits (bounded) until `node` answers its client port.
    func waitUntilServing(_ node: UInt32) async throws {
        let address = configs[Int(node) - 1].own.clientAddress
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let client = try ColonyClient(nodes: [address])
            let answered = (try? await client.listCells()) != nil
            await client.close()
            if answered { return }
            try #require(running[node]?.isRunning == true, "node \(node) exited: see \(root)/n\(node).log")
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("node \(node) did not answer within 30 s")
    }

    /// Sends `signal` and waits for the process to end.
    func signal(_ node: UInt32, _ signal: Int32) {
        guard let process = running.removeValue(forKey: node) else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}
