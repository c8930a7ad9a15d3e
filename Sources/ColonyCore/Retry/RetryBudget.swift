/// The retries a client may still make, shared by all of its operations.
///
/// Each retry spends one token; each success earns a tenth of one back, up to the most the
/// budget holds. When a cell is sick, a client's retries soon outnumber its successes ten to
/// one and the budget runs dry: the client then gives up at once instead of storming the
/// cell. Following a leader's hint is discovery, not a retry, and spends nothing.
///
/// Tokens are counted in tenths, so that earning and spending are exact.
public struct RetryBudget: Hashable, Sendable {
    /// Tenths of a token one retry spends.
    public static let tenthsPerRetry = 10
    /// Tenths of a token one success earns back.
    public static let tenthsPerSuccess = 1

    /// The most tenths the budget holds; nil for a budget that never runs dry.
    public let tenthsMax: Int?
    /// The tenths of a token left.
    public private(set) var tenths: Int

    /// A full budget of `tokensMax` retries (none when zero or less).
    public init(tokensMax: Int) {
        let (tenthsMax, overflow) = max(0, tokensMax).multipliedReportingOverflow(by: Self.tenthsPerRetry)
        self.tenthsMax = overflow ? Int.max : tenthsMax
        tenths = self.tenthsMax ?? 0
    }

    private init(unlimited: Void) {
        tenthsMax = nil
        tenths = 0
    }

    /// A budget that never runs dry, for a client bounded by its deadline alone.
    public static var unlimited: RetryBudget { RetryBudget(unlimited: ()) }

    /// Takes one retry's token; false, taking nothing, when too little is left.
    public mutating func spend() -> Bool {
        guard tenthsMax != nil else { return true }
        guard tenths >= Self.tenthsPerRetry else { return false }
        tenths -= Self.tenthsPerRetry
        precondition(tenths >= 0, "Invalid state: a retry budget spent below zero")
        return true
    }

    /// Earns back a tenth of a token for a success, up to the most the budget holds.
    public mutating func earn() {
        guard let tenthsMax else { return }
        tenths = min(tenthsMax, tenths + Self.tenthsPerSuccess)
    }
}
