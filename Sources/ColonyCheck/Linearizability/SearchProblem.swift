import ColonyCore

/// One step of an operation as the search sees it: read or write one key, with keys and
/// values replaced by small numbers so that the hot path never touches a string.
struct MicroStep: Hashable, Sendable {
    /// Whether the step writes (true) or reads and must match (false).
    var isWrite: Bool
    /// The key's number, from 0; always 0 in a register partition.
    var key: Int
    /// The value's number; `MicroStep.absent` stands for no value.
    var value: Int32

    /// The value number of "absent", the state of every key before the history begins.
    static let absent: Int32 = 0
}

/// One operation as the search sees it.
struct SearchOperation: Sendable {
    /// The steps, applied in order, all at once; any read that does not match makes the
    /// operation impossible in that state.
    var steps: [MicroStep]
    /// The event index of the invoke.
    var invokeIndex: Int
    /// The event index of the completion, or `Int.max` for an operation that may take
    /// effect at any later time.
    var returnIndex: Int
    /// Whether the operation must be linearized (it returned ok) or may be left out.
    var isRequired: Bool
}

/// The operations of one partition, compiled for the search.
struct SearchProblem: Sendable {
    /// The operations, in the order of the partition.
    var operations: [SearchOperation]
    /// How many distinct keys the operations touch.
    var keyCount: Int

    /// Compiles operations, numbering their keys and values.
    init(_ recorded: [RecordedOperation]) {
        var keys: [String: Int] = [:]
        var values: [String: Int32] = [:]
        func keyNumber(_ key: String) -> Int {
            if let number = keys[key] { return number }
            keys[key] = keys.count
            return keys.count - 1
        }
        func valueNumber(_ value: String?) -> Int32 {
            guard let value else { return MicroStep.absent }
            if let number = values[value] { return number }
            let number = Int32(values.count + 1)
            values[value] = number
            return number
        }
        operations = recorded.map { operation in
            let known = operation.outcome == .ok
            let steps = Self.steps(of: operation, readsKnown: known).map { step in
                MicroStep(isWrite: step.kind == .write, key: keyNumber(step.key), value: valueNumber(step.value))
            }
            return SearchOperation(
                steps: steps, invokeIndex: operation.invoke.index,
                returnIndex: operation.returnIndex ?? Int.max, isRequired: known)
        }
        keyCount = max(keys.count, 1)
    }

    /// The operation as transaction steps. The results of an operation whose outcome is
    /// unknown were never seen, so its reads constrain nothing and are left out; a cas's
    /// expected value is an argument, not a result, and stays.
    private static func steps(of operation: RecordedOperation, readsKnown: Bool) -> [TransactionMicroOperation] {
        let key = operation.invoke.key ?? ""
        switch (operation.invoke.function, operation.value) {
        case (.read, let value):
            return readsKnown ? [TransactionMicroOperation(kind: .read, key: key, value: value.string)] : []
        case (.write, let value), (.delete, let value):
            return [TransactionMicroOperation(kind: .write, key: key, value: value.string)]
        case (.cas, .pair(let expected, let new)):
            return [
                TransactionMicroOperation(kind: .read, key: key, value: expected),
                TransactionMicroOperation(kind: .write, key: key, value: new),
            ]
        case (.txn, .transaction(let steps)):
            return readsKnown ? steps : steps.filter { $0.kind == .write }
        case (.cas, _), (.txn, _):
            // A well-formed history never holds these; validation rejects them first.
            return []
        }
    }
}
