import NIOCore
import Testing
@testable import ColonyNode

@Suite("late ticks: each tick's delay measured, long ones reported at most once per interval")
struct LateTicksTests {
    @Test("ticks on time report nothing; a long delay is reported, later ones within the interval are counted into the next line")
    func reports() {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let tick = TimeAmount.milliseconds(10)
        var late = LateTicks(started: start)
        var now = start
        for _ in 0..<100 {
            now = now + tick
            let (delay, report) = late.tick(at: now, length: tick)
            #expect(delay == .zero)
            #expect(report == nil)
        }
        now = now + .milliseconds(310)
        let first = late.tick(at: now, length: tick)
        #expect(first.delay == .milliseconds(300))
        #expect(first.report?.contains("1 ticks came late") == true, "\(String(describing: first.report))")
        for wait in [400, 600] {
            now = now + .milliseconds(Int64(wait))
            #expect(late.tick(at: now, length: tick).report == nil, "at most one line per \(LateTicks.reportEvery)")
        }
        now = now + LateTicks.reportEvery
        let next = late.tick(at: now, length: tick)
        #expect(next.report?.contains("3 ticks came late") == true, "\(String(describing: next.report))")
        #expect(next.report?.contains("the longest by 9990 ms") == true, "the longest since the last line: \(String(describing: next.report))")
    }
}
