import ColonyCore

/// Checks, event by event, the rules of HISTORY.md that span more than one line: indices
/// count from 0, times never decrease, values have their function's shape, every completion
/// ends an invoke of the same process, function, cell and key, a process has at most one
/// operation in flight, and a process whose operation ended in info never invokes again.
struct HistoryValidator {
    /// The invoke each busy process is waiting on, with its line.
    private var inFlight: [Int: (invoke: HistoryEvent, line: Int)] = [:]
    /// The line on which each retired process's operation ended in info.
    private var retired: [Int: Int] = [:]
    private var previousTime: UInt64 = 0
    private var acceptedCount = 0

    /// Checks every event of `events`, in order.
    static func validate(_ events: [HistoryEvent]) throws(HistoryError) {
        var validator = HistoryValidator()
        for event in events {
            try validator.accept(event)
        }
    }

    /// Checks the next event of the history.
    mutating func accept(_ event: HistoryEvent) throws(HistoryError) {
        let line = acceptedCount + 1
        guard event.index == acceptedCount else {
            throw .wrongIndex(line: line, found: event.index, expected: acceptedCount)
        }
        guard event.time >= previousTime else {
            throw .timeWentBackwards(line: line, time: event.time, previousTime: previousTime)
        }
        try Self.checkShape(of: event, line: line)
        switch event.type {
        case .invoke:
            try acceptInvoke(event, line: line)
        case .ok, .fail, .info:
            try acceptCompletion(event, line: line)
        }
        previousTime = event.time
        acceptedCount += 1
    }

    private mutating func acceptInvoke(_ event: HistoryEvent, line: Int) throws(HistoryError) {
        if let infoLine = retired[event.process] {
            throw .invokeAfterInfo(line: line, process: event.process, infoLine: infoLine)
        }
        if let busy = inFlight[event.process] {
            throw .invokeWhileInFlight(line: line, process: event.process, inFlightLine: busy.line)
        }
        inFlight[event.process] = (event, line)
    }

    private mutating func acceptCompletion(_ event: HistoryEvent, line: Int) throws(HistoryError) {
        guard let (invoke, invokeLine) = inFlight[event.process] else {
            throw .completionWithoutInvoke(line: line, process: event.process, type: event.type)
        }
        let mismatch: String? =
            if invoke.function != event.function { "f" }
            else if invoke.cell != event.cell { "cell" }
            else if invoke.key != event.key { "key" }
            else { nil }
        if let field = mismatch {
            throw .completionDoesNotMatchInvoke(line: line, process: event.process, field: field, invokeLine: invokeLine)
        }
        inFlight[event.process] = nil
        if event.type == .info {
            retired[event.process] = line
        }
    }

    /// Checks that the key and value have the shape the event's function needs.
    static func checkShape(of event: HistoryEvent, line: Int) throws(HistoryError) {
        switch (event.function, event.key) {
        case (.txn, .some):
            throw .wrongFieldType(line: line, field: "key", expected: "null (a txn names its keys in its steps)", found: "a string")
        case (.read, nil), (.write, nil), (.cas, nil), (.delete, nil):
            throw .wrongFieldType(line: line, field: "key", expected: "a string", found: "null")
        case (.txn, nil), (.read, .some), (.write, .some), (.cas, .some), (.delete, .some):
            break
        }
        guard fits(event.value, event.function) else {
            throw .wrongValueShape(line: line, function: event.function, found: describe(event.value))
        }
    }

    private static func fits(_ value: HistoryValue, _ function: HistoryFunction) -> Bool {
        switch value {
        case .null: return function == .read || function == .delete
        case .string: return function == .read || function == .write
        case .pair: return function == .cas
        case .transaction: return function == .txn
        }
    }

    private static func describe(_ value: HistoryValue) -> String {
        switch value {
        case .null: return "null"
        case .string: return "a string"
        case .pair: return "a two-element array"
        case .transaction: return "a list of transaction steps"
        }
    }
}
