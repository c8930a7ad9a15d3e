import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony chaos` against the node processes it starts: a short run with faults passes with no
/// violation and no lost write, a stop condition set so low it must fire aborts a run, which
/// still heals the colony, reads every key back and checks the history, and an interrupted
/// run leaves no node behind.
@Suite("colony chaos against node processes", .serialized, .colonyTurn)
struct ChaosProcessTests {
    /// Runs `colony chaos` with its runs' folders under a fresh folder, and stops by pid any
    /// node still running from that folder (there should be none) before removing it.
    static func chaos(_ arguments: String...) async throws -> (run: CommandRun, runs: [[String: Any]], leftRunning: [Int32]) {
        let folder = NSTemporaryDirectory() + "colony-chaos-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await CommandRun.run(["chaos", "--dir", folder, "--json"] + arguments, within: .seconds(120))
        let leftRunning = processes(mentioning: folder)
        LocalNodes.stop(pids: leftRunning)
        let runs = run.output.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        return (run, runs, leftRunning)
    }

    /// The processes whose command line names `folder`.
    static func processes(mentioning folder: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self) }
            return commandLine?.contains(folder) == true
        }
    }

    /// Whether process `pid` is stopped (by SIGSTOP), as /proc says.
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat").map({ String(decoding: $0, as: UTF8.self) }),
              let afterName = stat.range(of: ") ")
        else { return false }
        return stat[afterName.upperBound...].hasPrefix("T")
    }

    @Test("interrupted while a node is paused, it kills every node it started and ends by the same signal", .timeLimit(.minutes(2)))
    func interruptionLeavesNoNode() async throws {
        let folder = NSTemporaryDirectory() + "colony-chaos-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chaos = Process()
        chaos.executableURL = CommandRun.executable
        chaos.arguments = ["chaos", "--dir", folder, "--faults", "pause", "--length", "60s", "--seed", "3"]
        chaos.standardOutput = FileHandle.nullDevice
        chaos.standardError = FileHandle.nullDevice
        try chaos.run()
        defer {
            if chaos.isRunning { kill(chaos.processIdentifier, SIGKILL) }
            LocalNodes.stop(pids: Self.processes(mentioning: folder))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        var paused = false
        while !paused, chaos.isRunning, ContinuousClock.now < deadline {
            paused = Self.processes(mentioning: folder).contains(where: Self.isStopped)
            if !paused { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(paused, "no node of the run was paused within 60 s")

        kill(chaos.processIdentifier, SIGINT)
        while chaos.isRunning, ContinuousClock.now < deadline + .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(chaos.terminationReason == .uncaughtSignal && chaos.terminationStatus == SIGINT)
        #expect(Self.processes(mentioning: folder).isEmpty, "node processes left running after the interruption")
    }

    @Test("a short run of a pause, a disk stall and a kill passes: healed, every key read back, no violation, no lost write", .timeLimit(.minutes(3)))
    func shortRunPasses() async throws {
        // Seed 4's schedule over 5 s: a pause at 1.2 s for 1.0 s, a disk stall at 2.3 s for 1.3 s,
        // a kill at 3.9 s for 1.1 s.
        let (run, runs, leftRunning) = try await Self.chaos("--seed", "4", "--length", "5s", "--settle", "1s")
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        let outcome = try #require(runs.first, "\(run.output)\(run.errors)")
        let faults = outcome["faults"] as? [String: Int] ?? [:]
        #expect(faults == ["kill": 1, "pause": 1, "stall": 1], "\(outcome)")
        #expect(outcome["aborted"] as? Bool == false && outcome["healed"] as? Bool == true, "\(outcome)")
        #expect(outcome["violations"] as? Int == 0 && outcome["lost_acknowledged_writes"] as? Int == 0, "\(outcome)")
        #expect(outcome["keys_unread"] as? Int == 0 && outcome["keys_checked"] as? Int == 9, "\(outcome)")
        #expect((outcome["operations"] as? Int ?? 0) > 0 && outcome["status"] as? String == "success", "\(outcome)")
        #expect(leftRunning.isEmpty)
    }

    @Test("a p99.9 bound of 1 ms aborts the run, which heals, reads every key back and finds no violation", .timeLimit(.minutes(3)))
    func stopConditionAborts() async throws {
        let (run, runs, leftRunning) = try await Self.chaos("--seed", "2", "--length", "5s", "--max-p999", "1ms", "--settle", "0s")
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        let outcome = try #require(runs.first, "\(run.output)\(run.errors)")
        #expect(outcome["aborted"] as? Bool == true && outcome["stop_condition"] as? String == "latency-p99.9", "\(outcome)")
        #expect((outcome["stop_reason"] as? String)?.hasSuffix("above 1 ms") == true, "\(outcome)")
        #expect(outcome["healed"] as? Bool == true && outcome["keys_unread"] as? Int == 0, "\(outcome)")
        #expect(outcome["violations"] as? Int == 0 && outcome["lost_acknowledged_writes"] as? Int == 0, "\(outcome)")
        #expect(leftRunning.isEmpty)
    }
}
