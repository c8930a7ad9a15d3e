import ColonyCore
import Testing
@testable import colony

@Suite("chaos stop conditions, judged over the load's recent history and the leaders seen")
struct ChaosStopConditionTests {
    /// Operations of one process after another, each `latency` milliseconds long, one every
    /// `every` milliseconds from `from`, ending as `outcome` says.
    static func operations(
        _ count: Int, from: UInt64 = 0, every: UInt64 = 10, latency: UInt64 = 5, function: HistoryFunction = .write,
        outcome: HistoryEventType = .ok, firstProcess: Int = 0
    ) -> [HistoryEvent] {
        (0..<count).flatMap { index -> [HistoryEvent] in
            let begin = (from + UInt64(index) * every) * 1_000_000
            let process = firstProcess + index
            return [
                HistoryEvent(index: 0, time: begin, process: process, type: .invoke, function: function, cell: "c", key: "k", value: .string("v\(index)")),
                HistoryEvent(index: 0, time: begin + latency * 1_000_000, process: process, type: outcome, function: function, cell: "c", key: "k", value: .string("v\(index)")),
            ]
        }
    }

    static func milliseconds(_ value: UInt64) -> UInt64 { value * 1_000_000 }

    @Test("a load within its bounds stops nothing")
    func withinBounds() {
        var watch = ChaosWatch(conditions: ChaosStopConditions(), cells: ["c"], start: 0)
        watch.observe(Self.operations(100))
        watch.observeLeaders([1: ["c"]], at: Self.milliseconds(1_000))
        #expect(watch.evaluate(now: Self.milliseconds(1_000)) == nil)
    }

    @Test("errors above the rate stop the run, once enough operations ended in the window")
    func errorRate() {
        var watch = ChaosWatch(conditions: ChaosStopConditions(), cells: [], start: 0)
        watch.observe(Self.operations(10, outcome: .info))
        #expect(watch.evaluate(now: Self.milliseconds(200)) == nil)
        watch.observe(Self.operations(6, from: 200, function: .read, outcome: .fail, firstProcess: 100))
        watch.observe(Self.operations(5, from: 300, firstProcess: 200))
        let stop = watch.evaluate(now: Self.milliseconds(400))
        #expect(stop?.name == "error-rate")
        #expect(stop?.description == "error rate 76.2% of 21 operations above 50.0%")
    }

    @Test("a compare-and-set that failed is not an error")
    func mismatchIsNotAnError() {
        var watch = ChaosWatch(conditions: ChaosStopConditions(), cells: [], start: 0)
        watch.observe(Self.operations(40, function: .cas, outcome: .fail))
        #expect(watch.evaluate(now: Self.milliseconds(500)) == nil)
    }

    @Test("errors that left the window no longer count")
    func windowForgets() {
        var watch = ChaosWatch(conditions: ChaosStopConditions(), cells: [], start: 0)
        watch.observe(Self.operations(30, outcome: .info))
        watch.observe(Self.operations(30, from: 6_000, firstProcess: 100))
        #expect(watch.evaluate(now: Self.milliseconds(6_500)) == nil)
    }

    @Test("a p99.9 above its bound stops the run, and so does one operation that has run too long")
    func latency() {
        var conditions = ChaosStopConditions()
        conditions.latencyP999Max = .milliseconds(100)
        var slow = ChaosWatch(conditions: conditions, cells: [], start: 0)
        slow.observe(Self.operations(10, latency: 150))
        #expect(slow.evaluate(now: Self.milliseconds(300)) == .latency(observedP999: .milliseconds(150), bound: .milliseconds(100)))

        var stuck = ChaosWatch(conditions: conditions, cells: [], start: 0)
        stuck.observe(Self.operations(10))
        stuck.observe([HistoryEvent(index: 0, time: Self.milliseconds(200), process: 99, type: .invoke, function: .read, cell: "c", key: "k", value: .null)])
        #expect(stuck.evaluate(now: Self.milliseconds(250)) == nil)
        #expect(stuck.evaluate(now: Self.milliseconds(400)) == .latency(observedP999: .milliseconds(200), bound: .milliseconds(100)))
    }

    @Test("cells without a known leader for too long stop the run; a cell seen led again does not count; new leaders are counted")
    func leaderless() {
        var conditions = ChaosStopConditions()
        conditions.leaderlessFor = .seconds(2)
        var watch = ChaosWatch(conditions: conditions, cells: ["a", "b", "c"], start: 0)
        watch.observeLeaders([1: ["a", "b"], 2: ["c"]], at: Self.milliseconds(1_000))
        watch.observeLeaders([1: ["a", "other"]], at: Self.milliseconds(2_000))
        #expect(watch.evaluate(now: Self.milliseconds(2_500)) == nil)
        watch.observeLeaders([2: ["a"], 3: ["b"]], at: Self.milliseconds(3_000))
        #expect(watch.leaderChanges == 2)
        let stop = watch.evaluate(now: Self.milliseconds(3_000))
        #expect(stop == .leaderlessCells(cells: ["c"], bound: 0, lasting: .seconds(2)))
        #expect(stop?.description == "1 cells without a leader for 2.00 s (c), above 0")
    }

    @Test("the p99.9 of a whole history takes the nearest rank")
    func historyP999() {
        #expect(OperationTimes.p999(of: []) == .zero)
        #expect(OperationTimes.p999(of: Self.operations(3, latency: 7)) == .milliseconds(7))
        #expect(ChaosWatch.rank(0.999, of: 1_000) == 998 && ChaosWatch.rank(0.999, of: 1) == 0)
    }
}
