import ColonyCheck
import ColonyCore

/// Builds a history the way a test reads it: which process invoked what, and how it ended.
/// Indices count from 0 and times grow by 10 per event.
struct HistoryScript {
    /// The events so far.
    private(set) var events: [HistoryEvent] = []
    /// The cell that events act on unless told otherwise.
    var cell = "vol-7"
    private var inFlight: [Int: HistoryEvent] = [:]

    /// Starts an operation of `process`.
    mutating func invoke(_ process: Int, _ function: HistoryFunction, _ key: String?, _ value: HistoryValue, cell: String? = nil) {
        let event = HistoryEvent(
            index: events.count, time: UInt64(events.count * 10), process: process, type: .invoke,
            function: function, cell: cell ?? self.cell, key: key, value: value)
        inFlight[process] = event
        events.append(event)
    }

    /// Ends `process`'s operation in `type`, with `value` or else the invoke's value.
    mutating func complete(_ process: Int, _ type: HistoryEventType, _ value: HistoryValue? = nil) {
        guard let invoke = inFlight.removeValue(forKey: process) else {
            preconditionFailure("Invalid script: process \(process) has nothing in flight")
        }
        events.append(
            HistoryEvent(
                index: events.count, time: UInt64(events.count * 10), process: process, type: type,
                function: invoke.function, cell: invoke.cell, key: invoke.key, value: value ?? invoke.value))
    }

    /// Ends `process`'s operation in ok, reporting `value` if given.
    mutating func ok(_ process: Int, _ value: HistoryValue? = nil) { complete(process, .ok, value) }
    /// Ends `process`'s operation in fail.
    mutating func fail(_ process: Int) { complete(process, .fail) }
    /// Ends `process`'s operation in info.
    mutating func info(_ process: Int) { complete(process, .info) }

    /// Starts a read of `key`.
    mutating func invokeRead(_ process: Int, _ key: String) { invoke(process, .read, key, .null) }
    /// Ends a read, reporting `value` (nil: absent).
    mutating func okRead(_ process: Int, _ value: String?) { ok(process, value.map(HistoryValue.string) ?? .null) }
    /// Starts a write of `value` to `key`.
    mutating func invokeWrite(_ process: Int, _ key: String, _ value: String) { invoke(process, .write, key, .string(value)) }
    /// Starts a compare-and-set of `key` from `expected` to `new`.
    mutating func invokeCompareAndSet(_ process: Int, _ key: String, _ expected: String?, _ new: String?) {
        invoke(process, .cas, key, .pair(expected, new))
    }
    /// Starts a transaction.
    mutating func invokeTransaction(_ process: Int, _ steps: [TransactionMicroOperation]) {
        invoke(process, .txn, nil, .transaction(steps))
    }

    /// A read that begins and ends before anything else happens.
    mutating func read(_ process: Int, _ key: String, _ value: String?) {
        invokeRead(process, key)
        okRead(process, value)
    }

    /// A write that begins and ends before anything else happens.
    mutating func write(_ process: Int, _ key: String, _ value: String) {
        invokeWrite(process, key, value)
        ok(process)
    }

    /// A delete that begins and ends before anything else happens.
    mutating func delete(_ process: Int, _ key: String) {
        invoke(process, .delete, key, .null)
        ok(process)
    }

    /// Checks the history with the default checker.
    func check() -> CheckReport {
        LinearizabilityChecker().check(events)
    }
}

/// A transaction step that reads `key` (nil value: absent, or not yet known at invoke).
func readStep(_ key: String, _ value: String?) -> TransactionMicroOperation {
    TransactionMicroOperation(kind: .read, key: key, value: value)
}

/// A transaction step that writes `value` to `key`.
func writeStep(_ key: String, _ value: String?) -> TransactionMicroOperation {
    TransactionMicroOperation(kind: .write, key: key, value: value)
}
