/// How often faults strike and how hard: the schedule's knobs, drawn per seed by swarm
/// testing so that some seeds see a few gentle faults and others a storm.
public struct FaultRates: Hashable, Sendable {
    /// The shortest and longest pause between two fault injections, in nanoseconds.
    public var intervalMin: UInt64 = 200 * Nanoseconds.millisecond
    public var intervalMax: UInt64 = 800 * Nanoseconds.millisecond
    /// The longest a fault stays in force, in nanoseconds (at least 100 ms).
    public var durationMax: UInt64 = 2 * Nanoseconds.second
    /// The most faults in force at once.
    public var activeMax = 3
    /// The highest share of messages the `loss`, `duplicate` and `reorder` faults touch, in percent.
    public var lossPercentMax: UInt64 = 30
    public var duplicatePercentMax: UInt64 = 20
    public var reorderPercentMax: UInt64 = 30

    /// The default rates.
    public init() {}

    /// Checks the rates; throws a message naming the bad one.
    func validate() throws(SimulationOptionsError) {
        guard intervalMin >= Nanoseconds.millisecond, intervalMin <= intervalMax else {
            throw .invalid("the fault interval must be at least 1 ms, its minimum at most its maximum")
        }
        guard durationMax >= 100 * Nanoseconds.millisecond else { throw .invalid("a fault must be allowed to last 100 ms") }
        guard activeMax >= 1 else { throw .invalid("at least one fault must be allowed in force") }
        guard [lossPercentMax, duplicatePercentMax, reorderPercentMax].allSatisfy({ $0 >= 5 && $0 <= 100 }) else {
            throw .invalid("message fault rates must be from 5 to 100 percent")
        }
    }
}
