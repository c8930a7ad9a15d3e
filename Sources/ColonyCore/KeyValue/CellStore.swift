/// The keys and values of one cell: the deterministic state machine every replica applies
/// chosen commands to.
///
/// Keys are kept in one array sorted by their bytes. A cell holds a few keys, so a sorted
/// array is both the smallest layout in memory and fast enough; it also means every walk
/// over the keys (a list, a snapshot) has one order on every replica. Nothing here reads a
/// clock, draws a random number or uses floating point, so all replicas compute the same.
public struct CellStore: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        var key: Key
        var value: Bytes
        var version: Revision
    }

    /// The revision of the latest change to the cell; 0 for a cell never written.
    public internal(set) var revision: Revision = 0
    var entries: [Entry] = []
    /// The bytes of keys and values held, the unit of the cell's size limit.
    public internal(set) var byteCount: Int = 0

    /// Makes an empty store.
    public init() {}

    /// How many keys the cell holds.
    public var count: Int { entries.count }

    /// Every key-value pair, in key order.
    public var all: [KeyValue] {
        entries.map { KeyValue(key: $0.key, value: $0.value, version: $0.version) }
    }

    /// Reads one key.
    public func get(_ key: Key) -> KeyValue? {
        let (found, index) = position(of: key)
        guard found else { return nil }
        let entry = entries[index]
        return KeyValue(key: entry.key, value: entry.value, version: entry.version)
    }

    /// Reads up to `limit` keys starting with `prefix`, in order, and whether more matched.
    public func list(prefix: Key, limit: Int) -> (items: [KeyValue], truncated: Bool) {
        var items: [KeyValue] = []
        var index = position(of: prefix).index
        while index < entries.count, entries[index].key.hasPrefix(prefix) {
            if items.count == limit {
                return (items, true)
            }
            let entry = entries[index]
            items.append(KeyValue(key: entry.key, value: entry.value, version: entry.version))
            index += 1
        }
        return (items, false)
    }

    /// Answers a read-only operation; traps on a write, which must go through the log.
    public func read(_ operation: CellOperation, limits: CellLimits) -> Result<OperationResult, OperationError> {
        switch operation {
        case .get(let key):
            return .success(.value(get(key)))
        case .list(let prefix, let limit):
            guard limit >= 1 else {
                return .failure(.badListLimit(limit, max: limits.keysMax))
            }
            // The cell holds at most `keysMax` keys: a larger limit lists them all.
            let (items, truncated) = list(prefix: prefix, limit: min(limit, limits.keysMax))
            return .success(.list(items, truncated: truncated, revision: revision))
        case .put, .delete, .compareAndSet, .increment, .transaction, .changeMembership, .deleteCell, .restore:
            preconditionFailure("read(_:) called with a write: \(operation)")
        }
    }

    /// Applies a key-value operation as the next change of the cell.
    ///
    /// Membership changes are not key-value operations; the cell state applies those.
    public mutating func apply(_ operation: CellOperation, limits: CellLimits) -> Result<OperationResult, OperationError> {
        let next = revision + 1
        switch operation {
        case .get, .list:
            return read(operation, limits: limits)
        case .put(let key, let value):
            switch write(key, value, at: next, limits: limits) {
            case .success:
                revision = next
                return .success(.written(version: next))
            case .failure(let failure):
                return .failure(OperationError(failure, key: key))
            }
        case .delete(let key):
            let existed = remove(key)
            if existed { revision = next }
            return .success(.deleted(existed: existed))
        case .compareAndSet(let key, let expected, let value):
            let current = get(key)
            guard Self.matches(current, expected) else {
                return .failure(.conditionFailed(current: current))
            }
            return apply(.put(key, value), limits: limits)
        case .increment(let key, let delta):
            switch add(delta, to: key, at: next, limits: limits) {
            case .success(let value):
                revision = next
                return .success(.incremented(value: value, version: next))
            case .failure(let failure):
                return .failure(OperationError(failure, key: key))
            }
        case .transaction(let transaction):
            return apply(transaction, limits: limits)
        case .restore(let part):
            return restore(part, limits: limits)
        case .changeMembership, .deleteCell:
            preconditionFailure("membership changes and deletions are applied by CellState, not CellStore")
        }
    }

    static func matches(_ current: KeyValue?, _ expected: Expectation) -> Bool {
        switch expected {
        case .absent:
            return current == nil
        case .value(let bytes):
            return current?.value == bytes
        case .version(let version):
            return (current?.version ?? 0) == version
        }
    }

    /// Checks a key against the cell's limits.
    static func validate(_ key: Key, limits: CellLimits) -> StepFailure? {
        let bytes = key.byteCount
        if bytes == 0 { return .emptyKey }
        if bytes > limits.keyBytesMax { return .keyTooLong(bytes: bytes, max: limits.keyBytesMax) }
        return nil
    }

    /// Writes `value` under `key` with version `version`, within the limits.
    mutating func write(_ key: Key, _ value: Bytes, at version: Revision, limits: CellLimits) -> Result<Void, StepFailure> {
        if let failure = Self.validate(key, limits: limits) { return .failure(failure) }
        guard value.count <= limits.valueBytesMax else {
            return .failure(.valueTooLarge(bytes: value.count, max: limits.valueBytesMax))
        }
        let (found, index) = position(of: key)
        let oldBytes = found ? key.byteCount + entries[index].value.count : 0
        let newTotal = byteCount - oldBytes + key.byteCount + value.count
        guard newTotal <= limits.cellBytesMax else {
            return .failure(.cellTooLarge(bytes: newTotal, max: limits.cellBytesMax))
        }
        if found {
            entries[index].value = value
            entries[index].version = version
        } else {
            guard entries.count < limits.keysMax else { return .failure(.tooManyKeys(max: limits.keysMax)) }
            entries.insert(Entry(key: key, value: value, version: version), at: index)
        }
        byteCount = newTotal
        return .success(())
    }

    /// Removes `key`; returns whether it existed.
    mutating func remove(_ key: Key) -> Bool {
        let (found, index) = position(of: key)
        guard found else { return false }
        byteCount -= key.byteCount + entries[index].value.count
        entries.remove(at: index)
        return true
    }

    /// Adds `delta` to the decimal integer under `key`, writing the sum with version `version`.
    mutating func add(_ delta: Int64, to key: Key, at version: Revision, limits: CellLimits) -> Result<Int64, StepFailure> {
        if let failure = Self.validate(key, limits: limits) { return .failure(failure) }
        var current: Int64 = 0
        if let existing = get(key) {
            guard let parsed = DecimalInteger.parse(existing.value) else { return .failure(.notAnInteger) }
            current = parsed
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { return .failure(.integerOverflow) }
        return write(key, DecimalInteger.format(sum), at: version, limits: limits).map { sum }
    }

    /// Where `key` is, or where it would be inserted.
    func position(of key: Key) -> (found: Bool, index: Int) {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low < entries.count && entries[low].key == key, low)
    }
}

extension OperationError {
    /// Lifts a step failure of a single-key operation on `key` to the operation's error.
    init(_ failure: StepFailure, key: Key) {
        switch failure {
        case .emptyKey: self = .emptyKey
        case .keyTooLong(let bytes, let max): self = .keyTooLong(bytes: bytes, max: max)
        case .valueTooLarge(let bytes, let max): self = .valueTooLarge(key: key, bytes: bytes, max: max)
        case .tooManyKeys(let max): self = .tooManyKeys(max: max)
        case .cellTooLarge(let bytes, let max): self = .cellTooLarge(bytes: bytes, max: max)
        case .notAnInteger: self = .notAnInteger(key: key)
        case .integerOverflow: self = .integerOverflow(key: key)
        }
    }
}
