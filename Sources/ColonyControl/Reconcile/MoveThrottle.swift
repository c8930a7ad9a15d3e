/// A token bucket that bounds how fast the control plane starts moves, colony-wide: one token
/// every `1 / movesPerSecond` seconds, at most `burst` saved up. It starts empty, so a
/// control loop restarted in a crash loop still waits before its first move.
///
/// Pure: time comes in as the seconds since an origin the caller chooses.
public struct MoveThrottle: Hashable, Sendable {
    /// The most tokens saved up.
    public let burst: Double
    private var tokens: Double = 0
    private var lastRefill: Double

    /// An empty bucket at time `now` (seconds).
    public init(now: Double, burst: Double = 1) {
        self.burst = burst
        lastRefill = now
    }

    /// Adds the tokens earned since the last call at `movesPerSecond`, up to `burst`.
    public mutating func refill(now: Double, movesPerSecond: Double) {
        let elapsed = max(0, now - lastRefill)
        lastRefill = now
        tokens = min(burst, tokens + elapsed * movesPerSecond)
    }

    /// How many moves may start now.
    public var available: Int { Int(tokens) }

    /// Spends one token for a move started now; false (and nothing spent) when none is left.
    public mutating func take() -> Bool {
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
