import ColonyCore

/// One operation of a history: an invoke paired with the event that ended it, if any.
///
/// Only operations that may have taken effect are recorded: a `fail` certainly did not, so
/// the checker drops it. An operation is `ok` (took effect between its invoke and its
/// completion) or `indeterminate` (ended in `info` or never ended: it may take effect at any
/// time after its invoke, or never).
struct RecordedOperation: Sendable {
    /// How the operation ended, as far as the checker cares.
    enum Outcome: Sendable {
        /// It took effect before its completion.
        case ok
        /// It may take effect at any time after its invoke, or never.
        case indeterminate
    }

    /// The event that started the operation.
    var invoke: HistoryEvent
    /// The `ok` or `info` event that ended it in the history; nil if it never ended.
    var completion: HistoryEvent?
    /// Whether it certainly took effect.
    var outcome: Outcome
    /// What the operation did: an ok operation's completion knows what was read and which
    /// branch a transaction took; otherwise only the invoke's argument is known.
    var value: HistoryValue
    /// Whether the completion lies beyond the prefix of the history being judged, so that
    /// the operation counts as not yet ended.
    var endsAfterCut = false

    /// Records an operation as it ended in the history.
    init(invoke: HistoryEvent, completion: HistoryEvent?) {
        self.invoke = invoke
        self.completion = completion
        outcome = completion?.type == .ok ? .ok : .indeterminate
        value = completion.flatMap { $0.type == .ok ? $0.value : nil } ?? invoke.value
    }

    /// The event index by which the operation took effect, or nil if it may take effect at
    /// any later time.
    var returnIndex: Int? {
        switch outcome {
        case .ok: return completion?.index
        case .indeterminate: return nil
        }
    }

    /// The events that show this operation, in index order. An operation cut short shows
    /// only its invoke, unless the invoke does not say what it did (a transaction that took
    /// another branch): then its completion shows that, at the cost of making the operation
    /// look ok, which only adds constraints.
    var events: [HistoryEvent] {
        guard let completion, !endsAfterCut || !invokeShowsWrites else { return [invoke] }
        return [invoke, completion]
    }

    /// Whether the invoke lists the writes the operation made; only a transaction's
    /// completion may list others.
    private var invokeShowsWrites: Bool {
        guard case .transaction(let done) = value, case .transaction(let planned) = invoke.value else { return true }
        return done.filter { $0.kind == .write } == planned.filter { $0.kind == .write }
    }

    /// The operation as the prefix of the history up to event `index` (inclusive) sees it:
    /// nil if it had not begun, indeterminate if it had not yet ended. It keeps what it did
    /// in the whole history, which the prefix may or may not see.
    func truncated(atEventIndex index: Int) -> RecordedOperation? {
        guard invoke.index <= index else { return nil }
        guard let completion, completion.index > index else { return self }
        var cut = self
        cut.outcome = .indeterminate
        cut.endsAfterCut = true
        return cut
    }

    /// Pairs the invokes of a well-formed history with their completions, in invoke order,
    /// leaving out operations that failed.
    static func pair(_ events: [HistoryEvent]) -> (operations: [RecordedOperation], failedCount: Int) {
        var operations: [RecordedOperation?] = []
        var inFlight: [Int: Int] = [:]
        var failedCount = 0
        for event in events {
            switch event.type {
            case .invoke:
                inFlight[event.process] = operations.count
                operations.append(RecordedOperation(invoke: event, completion: nil))
            case .ok, .info:
                guard let position = inFlight.removeValue(forKey: event.process),
                    let invoke = operations[position]?.invoke
                else { continue }
                operations[position] = RecordedOperation(invoke: invoke, completion: event)
            case .fail:
                guard let position = inFlight.removeValue(forKey: event.process) else { continue }
                operations[position] = nil
                failedCount += 1
            }
        }
        return (operations.compactMap { $0 }, failedCount)
    }
}

extension RecordedOperation: CustomStringConvertible {
    /// The operation in a few words, e.g. `read "k1" → "a" by process 5 (events 3–7)`.
    var description: String {
        let span =
            if let completion, !endsAfterCut { "events \(invoke.index)–\(completion.index)" }
            else { "invoked at event \(invoke.index), not ended" }
        let ending = outcome == .ok ? "" : ", outcome unknown"
        return "\(action) by process \(invoke.process) (\(span)\(ending))"
    }

    private var action: String {
        let key = invoke.key.map(Self.show) ?? ""
        switch invoke.function {
        case .read:
            return outcome == .ok ? "read \(key) → \(Self.show(value.string))" : "read \(key)"
        case .write:
            return "write \(key) := \(Self.show(value.string))"
        case .cas:
            guard case .pair(let expected, let new) = value else { return "cas \(key)" }
            return "cas \(key) from \(Self.show(expected)) to \(Self.show(new))"
        case .delete:
            return "delete \(key)"
        case .txn:
            guard case .transaction(let steps) = value else { return "txn" }
            let shown = steps.map { step in
                switch step.kind {
                case .read where outcome == .ok: return "read \(Self.show(step.key)) → \(Self.show(step.value))"
                case .read: return "read \(Self.show(step.key))"
                case .write: return "write \(Self.show(step.key)) := \(Self.show(step.value))"
                }
            }
            return "txn [\(shown.joined(separator: ", "))]"
        }
    }

    private static func show(_ text: String?) -> String {
        text.map { JSONText.quoted($0) } ?? "absent"
    }
}
