import ColonyCore
import Testing

@Suite("the pause before a retry and the retry budget")
struct RetryPolicyTests {
    static let doubling = RetryPolicy(
        attemptTimeoutNanoseconds: 100, deadlineNanoseconds: 10_000, backoffBaseNanoseconds: 10, backoffMaxNanoseconds: 1_000)

    @Test("the cap doubles from its base with each attempt and never passes backoffMax")
    func doublingCap() {
        #expect((0...8).map(Self.doubling.backoffCapNanoseconds(afterAttempts:)) == [10, 20, 40, 80, 160, 320, 640, 1_000, 1_000])
        #expect(Self.doubling.backoffCapNanoseconds(afterAttempts: 1_000_000) == 1_000)
        var huge = Self.doubling
        huge.backoffBaseNanoseconds = UInt64.max / 2
        huge.backoffMaxNanoseconds = UInt64.max - 1
        #expect(huge.backoffCapNanoseconds(afterAttempts: 20) == UInt64.max - 1)
    }

    @Test("a linear cap grows by its base with each attempt and never passes backoffMax")
    func linearCap() {
        var linear = Self.doubling
        linear.backoffGrowth = .linear
        linear.backoffBaseNanoseconds = 5
        linear.backoffMaxNanoseconds = 50
        #expect((1...12).map(linear.backoffCapNanoseconds(afterAttempts:)) == [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 50, 50])
    }

    @Test("pauses are drawn over the whole range from zero to the cap, never above it")
    func fullJitter() {
        var random = SplitMix64(seed: 11)
        for attempts in [1, 3, 10] {
            let cap = Self.doubling.backoffCapNanoseconds(afterAttempts: attempts)
            let pauses = (0..<2_000).map { _ in Self.doubling.backoffNanoseconds(afterAttempts: attempts, using: &random) }
            #expect(pauses.allSatisfy { $0 <= cap })
            #expect(pauses.min()! <= cap / 20)
            #expect(pauses.max()! >= cap - cap / 20)
        }
    }

    @Test("a budget spends a token per retry, earns a tenth per success, and holds at most its tokens")
    func budget() {
        var budget = RetryBudget(tokensMax: 1)
        for _ in 0..<5 { budget.earn() }
        #expect(budget.tenths == 10)
        var spends = [budget.spend(), budget.spend()]
        for _ in 0..<9 { budget.earn() }
        spends.append(budget.spend())
        budget.earn()
        spends.append(budget.spend())
        #expect(spends == [true, false, false, true])
        #expect(RetryBudget(tokensMax: -3).tenths == 0)
        var unlimited = RetryBudget.unlimited
        var spent = 0
        while spent < 1_000, unlimited.spend() { spent += 1 }
        #expect(spent == 1_000)
    }
}
