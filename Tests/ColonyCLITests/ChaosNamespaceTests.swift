import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony chaos --network namespaces`: a short run of partitions and packet loss against
/// nodes in network namespaces of their own passes with no violation and no lost write, and
/// leaves no namespace, veth or bridge behind. Skipped, saying why, where the machine cannot
/// make namespaces (not root, or no `ip` or `iptables`; `.ci/run` installs iptables).
@Suite(
    "colony chaos against nodes in network namespaces", .serialized, .networkNamespaceTurn, .colonyTurn,
    .enabled(if: NetworkTools.missing == nil, "\(NetworkTools.missing ?? ""); skipping the namespaced chaos run"))
struct ChaosNamespaceTests {
    /// The network namespaces of this machine.
    static func namespaces() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return Set(names)
    }

    /// The network interfaces of the root namespace.
    static func links() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? [])
    }

    /// Removes what a run killed by the test's deadline left: the namespaces, veths and
    /// bridge that are new since `namespaces` and `links` were taken.
    static func removeLeftovers(namespaces before: Set<String>, links linksBefore: Set<String>) {
        guard case .success(let tools) = NetworkTools.locate() else { return }
        for name in namespaces().subtracting(before) where name.hasPrefix("colony-") {
            run(tools.ip, ["netns", "del", name])
        }
        for name in links().subtracting(linksBefore) where name.hasPrefix("cv") || name.hasPrefix("cb") {
            run(tools.ip, ["link", "del", name])
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try? process.run()
        process.waitUntilExit()
    }

    @Test("a short run of a partition, a zone partition and a packet loss passes, and removes its network", .timeLimit(.minutes(3)))
    func shortRunPasses() async throws {
        let (namespacesBefore, linksBefore) = (Self.namespaces(), Self.links())
        defer { Self.removeLeftovers(namespaces: namespacesBefore, links: linksBefore) }
        // Seed 4's schedule over 5 s: a zone partition at 1.2 s for 1.0 s, a loss at 2.3 s for
        // 1.3 s, a partition at 3.9 s for 1.1 s.
        let (run, runs, leftRunning) = try await ChaosProcessTests.chaos(
            "--network", "namespaces", "--faults", "partition,zone-partition,loss", "--seed", "4", "--length", "5s", "--settle", "1s")
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        let outcome = try #require(runs.first, "\(run.output)\(run.errors)")
        let faults = outcome["faults"] as? [String: Int] ?? [:]
        #expect(faults == ["loss": 1, "partition": 1, "zone-partition": 1], "\(outcome)")
        #expect(outcome["aborted"] as? Bool == false && outcome["healed"] as? Bool == true, "\(outcome)")
        #expect(outcome["violations"] as? Int == 0 && outcome["lost_acknowledged_writes"] as? Int == 0, "\(outcome)")
        #expect(outcome["keys_unread"] as? Int == 0 && outcome["keys_checked"] as? Int == 9, "\(outcome)")
        #expect(outcome["status"] as? String == "success", "\(outcome)")
        #expect(leftRunning.isEmpty)
        #expect(Self.namespaces().subtracting(namespacesBefore).isEmpty, "namespaces left behind")
        #expect(Self.links().subtracting(linksBefore).isEmpty, "veths or a bridge left behind")
    }

    @Test("interrupted while a node is cut off, it kills every node and removes its namespaces, veths and bridge", .timeLimit(.minutes(2)))
    func interruptionRemovesNetwork() async throws {
        let (namespacesBefore, linksBefore) = (Self.namespaces(), Self.links())
        let folder = NSTemporaryDirectory() + "colony-chaos-test-\(UUID().uuidString)"
        let chaos = Process()
        chaos.executableURL = CommandRun.executable
        chaos.arguments = ["chaos", "--dir", folder, "--network", "namespaces", "--faults", "partition", "--length", "60s", "--seed", "3"]
        chaos.standardOutput = FileHandle.nullDevice
        chaos.standardError = FileHandle.nullDevice
        try chaos.run()
        defer {
            if chaos.isRunning { kill(chaos.processIdentifier, SIGKILL) }
            LocalNodes.stop(pids: ChaosProcessTests.processes(mentioning: folder))
            Self.removeLeftovers(namespaces: namespacesBefore, links: linksBefore)
            try? FileManager.default.removeItem(atPath: folder)
        }
        // A node is cut off once a namespace of the run holds a DROP rule; the run's
        // namespaces appear first, its nodes in them.
        let deadline = ContinuousClock.now + .seconds(60)
        var cut = false
        while !cut, chaos.isRunning, ContinuousClock.now < deadline {
            cut = Self.namespaces().subtracting(namespacesBefore).contains { Self.dropsPackets(in: $0) }
            if !cut { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(cut, "no node of the run was cut off within 60 s")

        kill(chaos.processIdentifier, SIGINT)
        while chaos.isRunning, ContinuousClock.now < deadline + .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(chaos.terminationReason == .uncaughtSignal && chaos.terminationStatus == SIGINT)
        #expect(ChaosProcessTests.processes(mentioning: folder).isEmpty, "node processes left running after the interruption")
        #expect(Self.namespaces().subtracting(namespacesBefore).isEmpty, "namespaces left behind")
        #expect(Self.links().subtracting(linksBefore).isEmpty, "veths or a bridge left behind")
    }

    /// Whether the namespace `name` holds an iptables DROP rule.
    private static func dropsPackets(in name: String) -> Bool {
        guard case .success(let tools) = NetworkTools.locate() else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tools.ip)
        process.arguments = ["netns", "exec", name, tools.iptables, "-w", "-S"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: printed, as: UTF8.self).contains("-j DROP")
    }
}
