/// A key with its value and version, as a read returns it.
public struct KeyValue: Hashable, Sendable {
    /// The key.
    public var key: Key
    /// The bytes stored under it.
    public var value: Bytes
    /// The revision of the change that last wrote it.
    public var version: Revision

    /// Makes a key-value triple.
    public init(key: Key, value: Bytes, version: Revision) {
        self.key = key
        self.value = value
        self.version = version
    }
}

/// What a successful operation returns.
public enum OperationResult: Hashable, Sendable {
    /// A `get`: the key's value, or nil when it is absent.
    case value(KeyValue?)
    /// A `list`: the matching keys in order, whether more matched than the limit allowed,
    /// and the cell's revision the list was read at (watch from it to miss nothing).
    case list([KeyValue], truncated: Bool, revision: Revision)
    /// A `put` or a successful `compareAndSet`: the key's new version.
    case written(version: Revision)
    /// A `delete`: whether the key existed.
    case deleted(existed: Bool)
    /// An `increment`: the new integer and the key's new version.
    case incremented(value: Int64, version: Revision)
    /// A `transaction`: whether the conditions held, and one result per applied step.
    case transaction(succeeded: Bool, results: [StepResult])
    /// A `changeMembership`: the configuration now in force.
    case membershipChanged(CellConfiguration)
    /// A `deleteCell`: the cell is deleted.
    case cellDeleted
}

/// What one transaction step returned.
public enum StepResult: Hashable, Sendable {
    /// A `get` step: the value, or nil when absent.
    case value(KeyValue?)
    /// A `put` step: the new version.
    case written(version: Revision)
    /// A `delete` step: whether the key existed.
    case deleted(existed: Bool)
    /// An `increment` step: the new integer and version.
    case incremented(value: Int64, version: Revision)
}

/// Why a cell refused an operation. An operation that ends in one of these errors
/// certainly did not change the cell.
public enum OperationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key was empty.
    case emptyKey
    /// The key was longer than the cell's limit.
    case keyTooLong(bytes: Int, max: Int)
    /// The value was larger than the cell's limit.
    case valueTooLarge(key: Key, bytes: Int, max: Int)
    /// Writing would give the cell more keys than its limit.
    case tooManyKeys(max: Int)
    /// Writing would make the cell hold more bytes than its limit.
    case cellTooLarge(bytes: Int, max: Int)
    /// A compare-and-set found something other than it expected; `current` is what it found.
    case conditionFailed(current: KeyValue?)
    /// An increment found a value that is not a decimal 64-bit integer.
    case notAnInteger(key: Key)
    /// An increment would leave the 64-bit range.
    case integerOverflow(key: Key)
    /// A transaction carried more conditions and steps than the cell's limit.
    case transactionTooLarge(steps: Int, max: Int)
    /// A transaction step failed; nothing of the transaction was applied.
    case transactionStepFailed(index: Int, reason: StepFailure)
    /// A list asked for a limit below 1; `max` is the cell's key limit.
    case badListLimit(Int, max: Int)
    /// A membership change named nodes that do not fit the cell's configuration.
    case invalidMembershipChange(ConfigurationError)
    /// The cell was deleted: it holds no data and takes no more requests.
    case cellDeleted
    /// A part of a restore did not fit the cell or was malformed.
    case restoreRefused(RestoreRefusal)
    /// The write carried more bytes of keys and values than any cell holds
    /// (`CellOperation.bytesMax`).
    case operationTooLarge(bytes: Int, max: Int)

    public var description: String {
        switch self {
        case .emptyKey:
            return "the key is empty; give a key of at least one byte"
        case .keyTooLong(let bytes, let max):
            return "the key is \(bytes) bytes long; this cell accepts keys up to \(max) bytes"
        case .valueTooLarge(let key, let bytes, let max):
            return "the value for key \"\(key)\" is \(bytes) bytes; this cell accepts values up to \(max) bytes"
        case .tooManyKeys(let max):
            return "the cell already holds its limit of \(max) keys; delete keys or use another cell"
        case .cellTooLarge(let bytes, let max):
            return "the write would make the cell hold \(bytes) bytes; its limit is \(max) bytes"
        case .conditionFailed(let current):
            if let current {
                return "condition failed: key \"\(current.key)\" is at version \(current.version)"
            }
            return "condition failed: the key is absent"
        case .notAnInteger(let key):
            return "key \"\(key)\" does not hold a decimal integer, so it cannot be incremented"
        case .integerOverflow(let key):
            return "incrementing key \"\(key)\" would overflow a 64-bit integer"
        case .transactionTooLarge(let steps, let max):
            return "the transaction has \(steps) conditions and steps; the limit is \(max)"
        case .transactionStepFailed(let index, let reason):
            return "transaction step \(index) failed (\(reason)); nothing was applied"
        case .badListLimit(let limit, let max):
            return "a list limit must be at least 1, not \(limit) (the cell holds at most \(max) keys)"
        case .invalidMembershipChange(let reason):
            return "membership change refused: \(reason)"
        case .cellDeleted:
            return "the cell was deleted: it holds no data and takes no requests, and its name is not reused"
        case .restoreRefused(let refusal):
            return "restore refused: \(refusal)"
        case .operationTooLarge(let bytes, let max):
            return "the operation carries about \(bytes) bytes of keys and values; one operation carries at most \(max), the largest cell's size: split it"
        }
    }
}

/// Why a single transaction step could not be applied.
public enum StepFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The step's key was empty.
    case emptyKey
    /// The step's key was too long.
    case keyTooLong(bytes: Int, max: Int)
    /// The step's value was too large.
    case valueTooLarge(bytes: Int, max: Int)
    /// The step would exceed the cell's key count.
    case tooManyKeys(max: Int)
    /// The step would exceed the cell's byte size.
    case cellTooLarge(bytes: Int, max: Int)
    /// The step incremented a value that is not a decimal integer.
    case notAnInteger
    /// The step's increment overflowed.
    case integerOverflow

    public var description: String {
        switch self {
        case .emptyKey: return "empty key"
        case .keyTooLong(let bytes, let max): return "key of \(bytes) bytes, limit \(max)"
        case .valueTooLarge(let bytes, let max): return "value of \(bytes) bytes, limit \(max)"
        case .tooManyKeys(let max): return "more than \(max) keys"
        case .cellTooLarge(let bytes, let max): return "cell of \(bytes) bytes, limit \(max)"
        case .notAnInteger: return "value is not a decimal integer"
        case .integerOverflow: return "integer overflow"
        }
    }
}
