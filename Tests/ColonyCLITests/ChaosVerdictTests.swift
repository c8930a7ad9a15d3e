import Testing
@testable import colony

@Suite("chaos verdicts: one line a run, one a series, and their exit statuses")
struct ChaosVerdictTests {
    static func passed(seed: UInt64 = 3) -> ChaosOutcome {
        var outcome = ChaosOutcome(seed: seed)
        outcome.operations = 1_000
        outcome.succeeded = 900
        outcome.failed = 90
        outcome.mismatches = 80
        outcome.unknown = 10
        outcome.latencyP999 = .milliseconds(1_250)
        outcome.faults = [.pause: 2, .kill: 1]
        outcome.keysChecked = 9
        outcome.duration = .seconds(14)
        return outcome
    }

    @Test("a run that kept every promise passes, its figures on one line")
    func passingLine() {
        let outcome = Self.passed()
        #expect(outcome.status == .success)
        #expect(outcome.line == "chaos seed 3: 1000 operations (900 ok, 90 failed of which 80 compare-and-set mismatches, 10 unknown), p99.9 1.25 s, faults kill 1 pause 2 stall 0, 0 new leaders seen, not aborted, healed, 9 of 9 keys read back, 0 violations, 0 lost acknowledged writes, 14.00 s: PASS")
    }

    @Test("an abort by a stop condition is reported, not a failure")
    func abortIsNotAFailure() {
        var outcome = Self.passed()
        outcome.stop = .latency(observedP999: .milliseconds(40), bound: .milliseconds(1))
        #expect(outcome.status == .success)
        #expect(outcome.line.contains(", aborted by latency-p99.9 (p99.9 latency 40 ms above 1 ms), healed,"))
        #expect(outcome.json["stop_condition"] as? String == "latency-p99.9" && outcome.json["aborted"] as? Bool == true)
    }

    @Test("a violation or a lost write fails; a check that gave up is undecided; no heal or an unread key is unavailable")
    func statuses() {
        var violated = Self.passed()
        violated.violations = 1
        #expect(violated.status == .failure && violated.line.hasSuffix(": FAIL (failure)"))
        var lost = Self.passed()
        lost.lostWrites = 2
        #expect(lost.status == .failure)
        var undecided = Self.passed()
        undecided.undecided = 1
        #expect(undecided.status == .undecided && undecided.line.contains("0 violations (1 undecided)"))
        var unhealed = Self.passed()
        unhealed.healed = false
        #expect(unhealed.status == .unavailable && unhealed.line.contains("NOT HEALED"))
        var unread = Self.passed()
        unread.keysUnread = 1
        #expect(unread.status == .unavailable && unread.line.contains("8 of 9 keys read back"))
    }

    @Test("a series sums its runs on one line and ends with its worst status")
    func summary() {
        var aborted = Self.passed(seed: 4)
        aborted.stop = .errorRate(observed: 0.9, bound: 0.5, operations: 40)
        aborted.faultsSkipped = 1
        let series = ChaosSummary(outcomes: [Self.passed(), aborted], duration: .seconds(30))
        #expect(series.status == .success)
        #expect(series.line == "chaos: 2 runs (seeds 3-4), 2000 operations (1800 ok, 180 failed, 20 unknown), faults kill 2 pause 4 stall 0 (1 skipped), 0 new leaders seen, 1 aborted (error-rate 1), 0 not healed, 0 keys unread, 0 violations, 0 lost acknowledged writes, 30.00 s: 2 of 2 runs passed")
        var lost = Self.passed(seed: 5)
        lost.lostWrites = 1
        var unread = Self.passed(seed: 6)
        unread.keysUnread = 1
        #expect(ChaosSummary(outcomes: [unread, lost, aborted], duration: .seconds(1)).status == .failure)
        #expect(ChaosSummary(outcomes: [aborted, unread], duration: .seconds(1)).status == .unavailable)
    }
}
