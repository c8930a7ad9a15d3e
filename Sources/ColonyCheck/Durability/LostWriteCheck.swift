import ColonyCore

/// Finds acknowledged writes that a history's final reads show lost: the durability figure of
/// a chaos run, beside the linearizability check, which knows a history holds a violation but
/// not how many acknowledged writes it cost.
///
/// A key's final read is its last `ok` read invoked after every other event of the key (so
/// after every other operation on it ended in ok, fail or info). Its value names the write that
/// made it: values are unique in a history (HISTORY.md), and absent is what a delete or no
/// write at all leaves. Every write acknowledged before the final read whose invoke came after
/// that write was acknowledged is ordered after it in any linearization, so the final read
/// should have shown it or a later one: each such write is lost. A value whose write may still
/// take effect (it ended in info, or never ended) bounds nothing and costs no write. Cells with
/// transactions are left to the linearizability checker (a transaction's writes are its steps),
/// and a key without a final read is counted as unread, not as lost.
public enum LostWriteCheck {
    /// Checks every key of `history`.
    public static func check(_ history: [HistoryEvent]) -> LostWriteReport {
        var report = LostWriteReport()
        let transacted = Set(history.filter { $0.function == .txn }.map(\.cell))
        for (place, operations) in operationsByKey(history).sorted(by: { $0.key < $1.key }) where !transacted.contains(place.cell) {
            report.keysChecked += 1
            guard let final = finalRead(of: operations) else {
                report.keysUnread.append(place)
                continue
            }
            let seen = final.completion?.value.string
            report.lost += lostWrites(in: operations, finalValue: seen).map { write in
                LostWrite(key: place, written: write.writtenValue, finalValue: seen)
            }
        }
        return report
    }

    /// Every single-key operation of `history` by cell and key, each invoke with the event that
    /// ended it (nil if none did); a transaction counts under its cell with an empty key.
    static func operationsByKey(_ history: [HistoryEvent]) -> [CellKey: [KeyOperation]] {
        var open: [Int: HistoryEvent] = [:]
        var byKey: [CellKey: [KeyOperation]] = [:]
        var order: [Int: (CellKey, Int)] = [:]
        for event in history {
            if event.type == .invoke {
                let place = CellKey(cell: event.cell, key: event.key ?? "")
                open[event.process] = event
                order[event.process] = (place, byKey[place, default: []].count)
                byKey[place, default: []].append(KeyOperation(invoke: event, completion: nil))
            } else if open.removeValue(forKey: event.process) != nil, let (place, position) = order[event.process] {
                byKey[place]?[position].completion = event
            }
        }
        return byKey
    }

    /// The key's last ok read, if it was invoked after every other event of the key.
    private static func finalRead(of operations: [KeyOperation]) -> KeyOperation? {
        guard let read = operations.last(where: { $0.invoke.function == .read && $0.completion?.type == .ok }) else { return nil }
        let lastOther = operations.filter { $0.invoke.index != read.invoke.index }
            .map { $0.completion?.index ?? $0.invoke.index }.max() ?? -1
        return read.invoke.index > lastOther ? read : nil
    }

    /// The acknowledged writes a final read of `finalValue` does not reflect though it must.
    private static func lostWrites(in operations: [KeyOperation], finalValue: String?) -> [KeyOperation] {
        let writes = operations.filter(\.isWrite)
        let acknowledged = writes.filter { $0.completion?.type == .ok }
        guard let finalValue else {
            // Absent: a write is lost when no delete that may have taken effect could follow it.
            let deletes = writes.filter { $0.invoke.function == .delete && $0.completion?.type != .fail }
            return acknowledged.filter { write in
                write.invoke.function != .delete
                    && deletes.allSatisfy { delete in delete.acknowledgedIndex.map { $0 < write.invoke.index } ?? false }
            }
        }
        // A value no write made, or one whose write failed, is a phantom for the
        // linearizability checker to judge; one whose write may take effect later bounds nothing.
        guard let maker = writes.first(where: { $0.writtenValue == finalValue }), let made = maker.acknowledgedIndex else { return [] }
        return acknowledged.filter { $0.invoke.index > made }
    }
}

/// What `LostWriteCheck` found in one history.
public struct LostWriteReport: Sendable, Equatable {
    /// Keys judged: every key of a cell without transactions, read back or not.
    public var keysChecked = 0
    /// Keys without a final read, whose acknowledged writes could not be judged.
    public var keysUnread: [CellKey] = []
    /// Each acknowledged write the final reads do not reflect.
    public var lost: [LostWrite] = []

    /// An empty report.
    public init() {}
}

/// One acknowledged write lost.
public struct LostWrite: Sendable, Equatable, CustomStringConvertible {
    /// Where it was written.
    public var key: CellKey
    /// The value it wrote; nil for a delete.
    public var written: String?
    /// What the key's final read found instead; nil for absent.
    public var finalValue: String?

    /// "cell vol-7 key k1: acknowledged write of "b" lost; the final read found "a"".
    public var description: String {
        let write = written.map { "write of \"\($0)\"" } ?? "delete"
        let found = finalValue.map { "\"\($0)\"" } ?? "the key absent"
        return "cell \(key.cell) key \(key.key): acknowledged \(write) lost; the final read found \(found)"
    }
}

/// A key of a cell.
public struct CellKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The cell.
    public var cell: String
    /// The key.
    public var key: String

    /// Names a key of a cell.
    public init(cell: String, key: String) {
        self.cell = cell
        self.key = key
    }

    /// "cell/key".
    public var description: String { "\(cell)/\(key)" }

    /// By cell, then key.
    public static func < (left: CellKey, right: CellKey) -> Bool {
        (left.cell, left.key) < (right.cell, right.key)
    }
}

/// One operation on a key: its invoke and the event that ended it, if any.
struct KeyOperation {
    var invoke: HistoryEvent
    var completion: HistoryEvent?

    /// Whether it changes the key (a write, a compare-and-set or a delete).
    var isWrite: Bool { [.write, .cas, .delete].contains(invoke.function) }

    /// The value it leaves in the key: a write's value, a compare-and-set's new value, nil
    /// for a delete.
    var writtenValue: String? {
        switch invoke.value {
        case .string(let value): value
        case .pair(_, let new): new
        case .null, .transaction: nil
        }
    }

    /// The index of its ok completion: by then it took effect; nil if it may take effect later
    /// (info, or never ended) or never did (fail).
    var acknowledgedIndex: Int? {
        completion?.type == .ok ? completion?.index : nil
    }
}
