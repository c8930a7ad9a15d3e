/// One change of a cell as a watcher sees it: the revision it made, and the new state of
/// every key it changed.
///
/// Every change a cell applies bumps its revision by exactly one, so a cell's changes are
/// numbered 1, 2, 3, … without gaps, and a watcher that has seen revision `r` knows the next
/// one it must see is `r + 1`. A transaction that changed several keys is one change.
public struct CellChange: Hashable, Sendable {
    /// The revision the change gave the cell; each changed key's version is this revision.
    public var revision: Revision
    /// The keys the change wrote or removed, in key order, each with its state afterwards.
    public var keys: [KeyChange]

    /// Makes a change.
    public init(revision: Revision, keys: [KeyChange]) {
        self.revision = revision
        self.keys = keys
    }

    /// The bytes of keys and values the change holds, the unit of a feed's byte bound.
    public var byteCount: Int {
        keys.reduce(0) { $0 + $1.key.byteCount + ($1.value?.count ?? 0) }
    }

    /// The same change with only the keys that start with `prefix`, or nil when none does.
    public func filtered(prefix: Key) -> CellChange? {
        guard prefix.byteCount > 0 else { return self }
        let kept = keys.filter { $0.key.hasPrefix(prefix) }
        return kept.isEmpty ? nil : CellChange(revision: revision, keys: kept)
    }
}

/// One key's state after a change.
public struct KeyChange: Hashable, Sendable {
    /// The key.
    public var key: Key
    /// The key's new value, or nil when the change removed it.
    public var value: Bytes?

    /// Makes a key's change; a nil `value` is a deletion.
    public init(key: Key, value: Bytes?) {
        self.key = key
        self.value = value
    }
}

extension CellStore {
    /// The change an applied operation made, read from the store after it: nil when the
    /// operation changed nothing (a read, a failure, a delete of an absent key, a
    /// transaction of reads). `previousRevision` is the revision before the operation.
    func change(madeBy operation: CellOperation, result: Result<OperationResult, OperationError>, previousRevision: Revision)
        -> CellChange?
    {
        guard revision != previousRevision, case .success(let success) = result else { return nil }
        var changed: [Key] = []
        switch (operation, success) {
        case (.put(let key, _), _), (.compareAndSet(let key, _, _), _), (.increment(let key, _), _), (.delete(let key), _):
            changed = [key]
        case (.transaction(let transaction), .transaction(let succeeded, let results)):
            let steps = succeeded ? transaction.success : transaction.failure
            for (step, stepResult) in zip(steps, results) where stepResult.changedTheCell {
                changed.append(step.key)
            }
        case (.transaction, _), (.get, _), (.list, _), (.changeMembership, _), (.deleteCell, _):
            return nil
        case (.restore, _):
            // Not a change a watcher can follow: the cell jumps to the backup's revision
            // (`AppliedCommand.restoredAt`), and its feed starts again there.
            return nil
        }
        var unique = changed.sorted()
        unique.removeDuplicates()
        return CellChange(revision: revision, keys: unique.map { KeyChange(key: $0, value: get($0)?.value) })
    }
}

extension StepResult {
    /// Whether the step wrote or removed its key.
    var changedTheCell: Bool {
        switch self {
        case .value: return false
        case .written, .incremented: return true
        case .deleted(let existed): return existed
        }
    }
}

extension Array where Element: Equatable {
    /// Removes adjacent repeats (of a sorted array: every repeat).
    mutating func removeDuplicates() {
        var kept: [Element] = []
        kept.reserveCapacity(count)
        for element in self where kept.last != element {
            kept.append(element)
        }
        self = kept
    }
}
