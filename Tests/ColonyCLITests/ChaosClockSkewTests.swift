import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony chaos --faults clock-skew`: a node that leads cells started again under
/// libfaketime with its wall clock off by up to `--clock-skew` seconds, then started again on
/// the true time. Skipped, saying why, without libfaketime (`.ci/run` installs it).
@Suite(
    "colony chaos skewing a node's clock", .serialized, .colonyTurn,
    .enabled(if: FakeTime.missing == nil, "\(FakeTime.missing ?? ""); skipping the clock-skew chaos run"))
struct ChaosClockSkewTests {
    /// Whether a node process of a chaos test ran with libfaketime set to skew its clock,
    /// looked for every 20 ms until `timeout` or until the task is cancelled.
    static func sawSkewedNode(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let nodes = ChaosProcessTests.processes(mentioning: NSTemporaryDirectory() + "colony-chaos-test-")
            let skewed = nodes.contains { pid in
                let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ").map { String(decoding: $0, as: UTF8.self) }
                return environment?.contains("FAKETIME_DONT_FAKE_MONOTONIC=1") == true && environment?.contains("FAKETIME=") == true
            }
            if skewed { return true }
            guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { return false }
        }
        return false
    }

    @Test("skewed clocks in a short run: a node runs skewed and comes back, every key reads back, no violation, no lost write", .timeLimit(.minutes(3)))
    func skewedClocksHeal() async throws {
        async let skewedNodeSeen = Self.sawSkewedNode(within: .seconds(90))
        let (run, runs, leftRunning) = try await ChaosProcessTests.chaos("--faults", "clock-skew", "--seed", "1", "--length", "6s", "--settle", "1s")
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        let outcome = try #require(runs.first, "\(run.output)\(run.errors)")
        #expect(((outcome["faults"] as? [String: Int])?["clock-skew"] ?? 0) >= 1, "\(outcome)")
        #expect(outcome["healed"] as? Bool == true && outcome["keys_unread"] as? Int == 0, "\(outcome)")
        #expect(outcome["violations"] as? Int == 0 && outcome["lost_acknowledged_writes"] as? Int == 0, "\(outcome)")
        // Within the certificates' hour of backdating, a skewed node starts and serves.
        #expect(outcome["findings"] == nil, "\(outcome)")
        #expect(leftRunning.isEmpty)
        #expect(await skewedNodeSeen, "no node of the run was seen running under libfaketime")
    }
}
