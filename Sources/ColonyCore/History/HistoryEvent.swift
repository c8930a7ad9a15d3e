/// One line of a history: what one client did or saw, in the format of HISTORY.md.
///
/// Harnesses (the simulator, the demo, real-process runs) produce histories; checkers judge
/// them and know nothing of how they were made.
public struct HistoryEvent: Hashable, Sendable {
    /// Position in the history, from 0.
    public var index: Int
    /// Nanoseconds on the harness's clock; never decreases along a history.
    public var time: UInt64
    /// The client that acted; one process has at most one operation in flight.
    public var process: Int
    /// Whether this starts an operation or says how it ended.
    public var type: HistoryEventType
    /// The operation's kind.
    public var function: HistoryFunction
    /// The cell acted on.
    public var cell: String
    /// The key acted on; nil for a transaction, whose steps name their keys.
    public var key: String?
    /// The operation's argument or result (see `HistoryValue`).
    public var value: HistoryValue

    /// Makes an event.
    public init(
        index: Int, time: UInt64, process: Int, type: HistoryEventType, function: HistoryFunction,
        cell: String, key: String?, value: HistoryValue
    ) {
        self.index = index
        self.time = time
        self.process = process
        self.type = type
        self.function = function
        self.cell = cell
        self.key = key
        self.value = value
    }
}

/// The `type` field of a history event.
public enum HistoryEventType: String, Hashable, Sendable, CaseIterable {
    /// The operation began.
    case invoke
    /// The operation took effect.
    case ok
    /// The operation certainly did not take effect.
    case fail
    /// Unknown: the operation may take effect at any later time, or never.
    case info
}

/// The `f` field of a history event.
public enum HistoryFunction: String, Hashable, Sendable, CaseIterable {
    /// Read one key; the value is null at invoke, the value read (null: absent) at ok.
    case read
    /// Write one key; the value is the string written.
    case write
    /// Compare-and-set one key; the value is `[expected, new]` (null expected: absent).
    case cas
    /// Delete one key; the value is null.
    case delete
    /// Colony's extension: an atomic transaction inside one cell; the value is a list of
    /// steps `["r", key, value]` and `["w", key, value]`, reads null at invoke.
    case txn
}

/// The `value` field of a history event.
public enum HistoryValue: Hashable, Sendable {
    /// JSON null.
    case null
    /// A string: the value of a write or a read.
    case string(String)
    /// A cas's `[expected, new]`; nil stands for null.
    case pair(String?, String?)
    /// A transaction's steps.
    case transaction([TransactionMicroOperation])

    /// The string, or nil for null (the value of reads, writes and deletes).
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// One step of a transaction in a history.
public struct TransactionMicroOperation: Hashable, Sendable {
    /// Whether the step reads or writes.
    public enum Kind: String, Hashable, Sendable {
        /// `"r"`: a read; the value is what was read (null: absent; null at invoke).
        case read = "r"
        /// `"w"`: a write of the value.
        case write = "w"
    }

    /// Read or write.
    public var kind: Kind
    /// The key.
    public var key: String
    /// The value read or written; nil for null.
    public var value: String?

    /// Makes a step.
    public init(kind: Kind, key: String, value: String?) {
        self.kind = kind
        self.key = key
        self.value = value
    }
}
