/// How one client operation retries: how long each attempt and the whole operation may
/// take, how the pause before a retry grows, and how many leader hints and election waits it
/// takes for free.
///
/// Every limit is in nanoseconds of the caller's clock; the policy never reads one.
public struct RetryPolicy: Hashable, Sendable {
    /// How the cap on the pause before a retry grows with the attempts made.
    public enum BackoffGrowth: Hashable, Sendable {
        /// The cap doubles with every attempt: `base << attempts`.
        case doubling
        /// The cap grows by the base with every attempt: `base × attempts`.
        case linear
    }

    /// How long one attempt waits for its answer.
    public var attemptTimeoutNanoseconds: UInt64
    /// How long the whole operation may take, retries and pauses included.
    public var deadlineNanoseconds: UInt64
    /// The cap on the pause before a retry, before it grows with the attempts.
    public var backoffBaseNanoseconds: UInt64
    /// The largest cap on a pause before a retry.
    public var backoffMaxNanoseconds: UInt64
    /// How the cap grows with the attempts made.
    public var backoffGrowth: BackoffGrowth
    /// How many leader hints one operation follows at once, without spending the retry
    /// budget or pausing; a hint past them is a retry like any other.
    public var hintsFollowedMax: Int
    /// How many times one operation asks again, after a pause but without spending the retry
    /// budget, while every node asked says the cell's leader is not known yet (an election);
    /// past them, each ask is a retry like any other.
    public var electionWaitsMax: Int

    /// The most doublings of the backoff cap: past 2^20 times its base the cap is surely at
    /// its maximum, and the shift cannot overflow.
    public static let backoffDoublingsMax = 20

    /// Makes a policy.
    public init(
        attemptTimeoutNanoseconds: UInt64, deadlineNanoseconds: UInt64, backoffBaseNanoseconds: UInt64,
        backoffMaxNanoseconds: UInt64, backoffGrowth: BackoffGrowth = .doubling, hintsFollowedMax: Int = 3,
        electionWaitsMax: Int = 8
    ) {
        self.attemptTimeoutNanoseconds = attemptTimeoutNanoseconds
        self.deadlineNanoseconds = deadlineNanoseconds
        self.backoffBaseNanoseconds = backoffBaseNanoseconds
        self.backoffMaxNanoseconds = backoffMaxNanoseconds
        self.backoffGrowth = backoffGrowth
        self.hintsFollowedMax = hintsFollowedMax
        self.electionWaitsMax = electionWaitsMax
    }

    /// The cap on the pause before the retry that follows `attempts` attempts: it grows with
    /// them, never past `backoffMaxNanoseconds`.
    public func backoffCapNanoseconds(afterAttempts attempts: Int) -> UInt64 {
        let grown: (partialValue: UInt64, overflow: Bool)
        switch backoffGrowth {
        case .doubling:
            let shift = UInt64(max(0, min(attempts, Self.backoffDoublingsMax)))
            grown = backoffBaseNanoseconds.multipliedReportingOverflow(by: 1 << shift)
        case .linear:
            grown = backoffBaseNanoseconds.multipliedReportingOverflow(by: UInt64(max(1, attempts)))
        }
        return grown.overflow ? backoffMaxNanoseconds : min(backoffMaxNanoseconds, grown.partialValue)
    }

    /// The pause before the retry that follows `attempts` attempts, with full jitter: drawn
    /// uniformly from zero to the cap, so that clients that failed together do not retry
    /// together.
    public func backoffNanoseconds(afterAttempts attempts: Int, using random: inout some RandomNumberGenerator) -> UInt64 {
        UInt64.random(in: 0...backoffCapNanoseconds(afterAttempts: attempts), using: &random)
    }
}
