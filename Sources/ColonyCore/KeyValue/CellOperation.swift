/// One thing a client asks of a cell.
public enum CellOperation: Hashable, Sendable {
    /// Reads one key.
    case get(Key)
    /// Reads up to `limit` keys that start with `prefix`, in key order.
    case list(prefix: Key, limit: Int)
    /// Writes `value` under `key`, creating the key if needed.
    case put(Key, Bytes)
    /// Removes `key`; removing an absent key is not an error.
    case delete(Key)
    /// Writes `value` under `key` only if the key's current state matches `expected`.
    case compareAndSet(Key, expected: Expectation, value: Bytes)
    /// Adds `delta` to the decimal integer stored under `key` (an absent key counts as 0).
    case increment(Key, by: Int64)
    /// Checks conditions and applies one of two lists of steps, all at once or not at all.
    case transaction(Transaction)
    /// Replaces one replica of the cell by another node (an operator's request).
    case changeMembership(MembershipChange)
    /// Deletes the whole cell: every replica drops its keys at the same slot and keeps only
    /// a tombstone, and every later request is refused with `cellDeleted`.
    case deleteCell
    /// Fills a cell never written with keys from a backup, at their versions, and gives it
    /// the backup's revision; one part of a restore (see `RestoredKeys`).
    case restore(RestoredKeys)

    /// Whether the operation only reads, and so can be answered without a log slot.
    public var isRead: Bool {
        switch self {
        case .get, .list:
            return true
        case .put, .delete, .compareAndSet, .increment, .transaction, .changeMembership, .deleteCell, .restore:
            return false
        }
    }

    /// Whether the operation ends what the cell's log can carry after it (a membership change
    /// ends the epoch, a deletion ends the cell), so a leader proposes it alone in its slot
    /// and proposes nothing after it until it is applied.
    public var isStopSign: Bool {
        switch self {
        case .changeMembership, .deleteCell:
            return true
        case .get, .list, .put, .delete, .compareAndSet, .increment, .transaction, .restore:
            return false
        }
    }

    /// A rough size in bytes, used to bound the batches a leader puts in one slot.
    public var approximateBytes: Int {
        switch self {
        case .get(let key), .delete(let key):
            return 16 + key.byteCount
        case .list(let prefix, _):
            return 24 + prefix.byteCount
        case .put(let key, let value):
            return 16 + key.byteCount + value.count
        case .compareAndSet(let key, let expected, let value):
            return 24 + key.byteCount + expected.approximateBytes + value.count
        case .increment(let key, _):
            return 24 + key.byteCount
        case .transaction(let transaction):
            return transaction.approximateBytes
        case .changeMembership, .deleteCell:
            return 16
        case .restore(let part):
            return part.approximateBytes
        }
    }
}

/// What a compare-and-set expects to find under its key.
public enum Expectation: Hashable, Sendable {
    /// The key must not exist.
    case absent
    /// The key must hold exactly these bytes.
    case value(Bytes)
    /// The key's version must be exactly this revision.
    case version(Revision)

    var approximateBytes: Int {
        switch self {
        case .absent, .version:
            return 8
        case .value(let bytes):
            return 8 + bytes.count
        }
    }
}

/// A check a transaction makes before choosing which steps to apply.
public enum Condition: Hashable, Sendable {
    /// The key exists (`true`) or does not (`false`).
    case exists(Key, Bool)
    /// The key's version equals the revision; an absent key has version 0.
    case versionEquals(Key, Revision)
    /// The key holds exactly these bytes; an absent key never matches.
    case valueEquals(Key, Bytes)

    /// The key the condition looks at.
    public var key: Key {
        switch self {
        case .exists(let key, _), .versionEquals(let key, _), .valueEquals(let key, _):
            return key
        }
    }
}

/// One step of a transaction; steps run in order and see the effects of earlier steps.
public enum TransactionStep: Hashable, Sendable {
    /// Reads a key.
    case get(Key)
    /// Writes a key.
    case put(Key, Bytes)
    /// Removes a key.
    case delete(Key)
    /// Adds to the decimal integer stored under a key.
    case increment(Key, by: Int64)

    /// The key the step acts on.
    public var key: Key {
        switch self {
        case .get(let key), .put(let key, _), .delete(let key), .increment(let key, _):
            return key
        }
    }
}

/// A multi-key transaction inside one cell: if every condition holds, the `success`
/// steps are applied, otherwise the `failure` steps; either list applies atomically.
public struct Transaction: Hashable, Sendable {
    /// Checks made against the cell's state before any step runs.
    public var conditions: [Condition]
    /// Steps applied when every condition holds.
    public var success: [TransactionStep]
    /// Steps applied when some condition does not hold.
    public var failure: [TransactionStep]

    /// Makes a transaction.
    public init(conditions: [Condition] = [], success: [TransactionStep], failure: [TransactionStep] = []) {
        self.conditions = conditions
        self.success = success
        self.failure = failure
    }

    /// How many conditions and steps the transaction carries, the unit of its size limit.
    public var stepCount: Int { conditions.count + success.count + failure.count }

    var approximateBytes: Int {
        var total = 16
        for condition in conditions {
            switch condition {
            case .exists(let key, _), .versionEquals(let key, _):
                total += 16 + key.byteCount
            case .valueEquals(let key, let value):
                total += 16 + key.byteCount + value.count
            }
        }
        for step in success + failure {
            switch step {
            case .get(let key), .delete(let key), .increment(let key, _):
                total += 16 + key.byteCount
            case .put(let key, let value):
                total += 16 + key.byteCount + value.count
            }
        }
        return total
    }
}
