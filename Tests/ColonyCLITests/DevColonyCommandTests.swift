import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// The commands against a real `colony dev` colony of three node processes: each outcome a
/// script branches on exits with its own status, and `colony load` runs twice over the same
/// cells without a false violation.
@Suite("the colony command against a dev colony of node processes", .serialized, .colonyTurn)
struct DevColonyCommandTests {
    /// Stops whatever the dev colony in `folder` records as running, by pid, and deletes it.
    static func stop(_ folder: String) {
        if let colony = DevColony.load(from: folder) {
            LocalNodes.stop(pids: colony.processes.map(\.pid) + (colony.controlPid.map { [$0] } ?? []))
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test("exit statuses (of data, cell and listing calls), JSON errors, no such cell, two checked loads over the same cells, and a node stopped and restarted", .timeLimit(.minutes(4)))
    func commandsAgainstADevColony() async throws {
        let folder = NSTemporaryDirectory() + "colony-cli-dev-\(UUID().uuidString)"
        defer { Self.stop(folder) }
        let environment = ["COLONY_DEV_DIR": folder]
        func colony(_ arguments: String...) async throws -> CommandRun {
            try await CommandRun.run(arguments, environment: environment, within: .seconds(60))
        }

        let up = try await colony("dev", "up", "--nodes", "3")
        try #require(up.status == 0, "dev up: \(up.output)\(up.errors)")
        #expect(try await colony("cell", "create", "t1", "--replicas", "3").status == 0)
        #expect(try await colony("put", "t1", "k", "v").status == 0)

        let absent = try await colony("get", "t1", "missing")
        #expect(absent.status == ExitStatus.notFound.rawValue && absent.output == "(absent)\n", "\(absent)")
        let mismatch = try await colony("cas", "t1", "k", "x", "--expect", "not-v", "--json")
        #expect(mismatch.status == ExitStatus.conditionFailed.rawValue, "\(mismatch)")
        #expect(mismatch.errorObject?["status"] as? String == "condition_failed", "\(mismatch.errors)")
        let unknown = try await colony("get", "no-such-cell", "k")
        #expect(unknown.status == ExitStatus.notFound.rawValue, "\(unknown)")
        #expect(unknown.errors.contains("no such cell: no-such-cell"), "\(unknown.errors)")
        // The nodes adopt the policy `dev up` writes when they next read the directory.
        var refused = try await colony("get", "t1", "k", "--as", "app")
        let policyDeadline = ContinuousClock.now + .seconds(60)
        while refused.status == 0, ContinuousClock.now < policyDeadline {
            try await Task.sleep(for: .milliseconds(100))
            refused = try await colony("get", "t1", "k", "--as", "app")
        }
        #expect(refused.status == ExitStatus.permissionDenied.rawValue, "\(refused)")
        // CellInfo and ListCells fail with gRPC status codes; the client reads the error each
        // carries as it reads a data call's, so the command exits as it would for one.
        let noCell = try await colony("cell", "info", "no-such-cell")
        #expect(noCell.status == ExitStatus.notFound.rawValue && noCell.errors.contains("no such cell: no-such-cell"), "\(noCell)")
        let infoRefused = try await colony("cell", "info", "t1", "--as", "app")
        #expect(infoRefused.status == ExitStatus.permissionDenied.rawValue, "\(infoRefused)")
        let listRefused = try await colony("cell", "list", "--as", "app", "--json")
        #expect(listRefused.status == ExitStatus.permissionDenied.rawValue, "\(listRefused)")
        #expect(listRefused.errorObject?["status"] as? String == "permission_denied", "\(listRefused.errors)")
        // Many cells at once, through the control plane's bulk creation; run again, it finds
        // them made. The application identity may not create cells.
        let bulk = try await colony("cell", "create", "--count", "5", "--prefix", "bulk", "--replicas", "3")
        #expect(bulk.status == 0 && bulk.output.contains("created 5 cells, bulk-000001 through bulk-000005"), "\(bulk)")
        #expect(try await colony("put", "bulk-000003", "k", "v").status == 0)
        let bulkAgain = try await colony("cell", "create", "--count", "5", "--prefix", "bulk", "--replicas", "3")
        #expect(bulkAgain.status == 0, "\(bulkAgain)")
        let bulkRefused = try await colony("cell", "create", "--count", "2", "--prefix", "denied", "--replicas", "3", "--as", "app")
        #expect(bulkRefused.status == ExitStatus.permissionDenied.rawValue, "\(bulkRefused)")

        let address = try #require(DevColony.load(from: folder)?.processes.first?.clientAddress)
        let plaintext = try await colony("get", "t1", "k", "--plaintext", "--nodes", address)
        #expect(plaintext.status == ExitStatus.unavailable.rawValue, "\(plaintext)")
        #expect(plaintext.errors.contains("probably runs TLS"), "\(plaintext.errors)")

        // The second load finds the first one's values in the cells and checks from them.
        for run in 1...2 {
            let load = try await colony("load", "--cells", "t1,t2", "--create-on", "1,2,3", "--clients", "4", "--duration", "2s")
            #expect(load.status == 0, "load \(run): \(load.output)\(load.errors)")
            #expect(load.output.contains("verdict: linearizable"), "load \(run): \(load.output)")
        }

        let stopped = try await colony("dev", "stop", "3")
        #expect(stopped.status == 0 && stopped.output.contains("stopped node 3"), "\(stopped)")
        #expect(try await colony("put", "t1", "k", "with-node-3-down").status == 0)
        let restarted = try await colony("dev", "restart", "3")
        #expect(restarted.status == 0 && restarted.output.contains("node 3 serves again"), "\(restarted)")
        let read = try await colony("get", "t1", "k", "--nodes", try #require(DevColony.load(from: folder)?.processes.last?.clientAddress))
        #expect(read.output == "with-node-3-down\n", "\(read)")

        // Every command dialled every node first, about 60 dials: the plaintext greeting is
        // refused, and a dial whose handshake outlasted its timeout on a busy machine would be;
        // a dial that hung up without TLS was logged as a refused client each time (37 here).
        let logs = try (1...3).map { try String(contentsOfFile: "\(folder)/n\($0).log", encoding: .utf8) }.joined()
        let refusals = logs.split(separator: "\n").filter { $0.contains("refusing a client connection") }
        #expect((1...3).contains(refusals.count), "\(refusals.joined(separator: "\n"))")

        let down = try await colony("dev", "down")
        #expect(down.status == 0, "\(down)")
    }
}
