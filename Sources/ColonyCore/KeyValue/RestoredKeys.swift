/// One part of a cell's keys restored from a backup: keys with the values and versions they
/// had when the backup read the cell at `revision`, which the cell takes.
///
/// A backup's keys may not fit one request, so a restore comes in parts, in key order, each
/// at most a transaction's length. The first part must find the cell never written; each later
/// part must find it at `revision`, that is, written by the earlier parts alone. Any other
/// write in between moves the cell past `revision`, and the parts after it are refused: a
/// restore never mixes a backup's keys with other writes. Until its last part applies, a cell
/// shows part of its keys, and a watch begun in between may miss the later parts' keys (they
/// come at the same revision): restore cells before any application uses them.
public struct RestoredKeys: Hashable, Sendable {
    /// The revision the backup read the cell at, and the one the cell takes.
    public var revision: Revision
    /// The keys, in ascending key order, each with the version it had (1 through `revision`).
    public var items: [KeyValue]
    /// Whether this is the restore's first part, which must find the cell never written.
    public var isFirst: Bool

    /// Makes one part of a restore.
    public init(revision: Revision, items: [KeyValue], isFirst: Bool) {
        self.revision = revision
        self.items = items
        self.isFirst = isFirst
    }

    /// What is wrong with the part whatever the cell's state (a revision of zero, keys not
    /// in strictly ascending order, a version outside 1 through `revision`, more keys than a
    /// transaction's steps), or nil.
    func malformation(limits: CellLimits) -> RestoreRefusal? {
        guard revision >= 1 else { return .revisionZero }
        guard items.count <= limits.transactionStepsMax else { return .tooManyKeys(items.count, max: limits.transactionStepsMax) }
        for (index, item) in items.enumerated() {
            guard item.version >= 1, item.version <= revision else { return .versionOutOfRange(index: index) }
            if index > 0, !(items[index - 1].key < item.key) { return .keysNotAscending(index: index) }
        }
        return nil
    }

    var approximateBytes: Int {
        items.reduce(24) { $0 + 24 + $1.key.byteCount + $1.value.count }
    }
}

/// Why a cell refused a part of a restore; the cell is unchanged.
public enum RestoreRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The cell was not where the part must find it: never written (a first part) or at the
    /// restore's revision (a later one). It holds `found`.
    case cellWritten(found: Revision, restoring: Revision, isFirst: Bool)
    /// The part named revision 0, which no backup reads.
    case revisionZero
    /// The part carried more keys than a transaction may.
    case tooManyKeys(Int, max: Int)
    /// The key at `index` had a version of 0 or above the restore's revision.
    case versionOutOfRange(index: Int)
    /// The key at `index` did not come after the key before it.
    case keysNotAscending(index: Int)

    public var description: String {
        switch self {
        case .cellWritten(let found, _, true):
            return "the cell has been written (it is at revision \(found)): a restore fills only a cell never written; restore into a new cell"
        case .cellWritten(let found, let restoring, false):
            return "the cell is at revision \(found), not at the restore's revision \(restoring): it took another write since the restore began; delete it and restore again"
        case .revisionZero:
            return "a restore must name the revision its backup was read at, at least 1"
        case .tooManyKeys(let count, let max):
            return "a part of a restore carries \(count) keys; the limit is \(max), a transaction's"
        case .versionOutOfRange(let index):
            return "key \(index) of the part has a version of 0 or above the restore's revision"
        case .keysNotAscending(let index):
            return "key \(index) of the part does not come after the key before it: a restore's keys go in ascending order, each once"
        }
    }
}

extension CellStore {
    /// Applies one part of a restore: every key with its value and version, all or none, and
    /// the cell at the restore's revision.
    mutating func restore(_ part: RestoredKeys, limits: CellLimits) -> Result<OperationResult, OperationError> {
        if let malformation = part.malformation(limits: limits) { return .failure(.restoreRefused(malformation)) }
        let expected: Revision = part.isFirst ? 0 : part.revision
        guard revision == expected else {
            return .failure(.restoreRefused(.cellWritten(found: revision, restoring: part.revision, isFirst: part.isFirst)))
        }
        var restored = self
        for item in part.items {
            if case .failure(let failure) = restored.write(item.key, item.value, at: item.version, limits: limits) {
                return .failure(OperationError(failure, key: item.key))
            }
        }
        restored.revision = part.revision
        self = restored
        return .success(.written(version: part.revision))
    }
}
