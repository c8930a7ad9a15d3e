import ColonyCore

/// The part of a history the checker judges on its own.
///
/// Linearizability is compositional (Herlihy & Wing's P-compositionality): a history is
/// linearizable exactly when each object's sub-history is. Our objects are the keys of a
/// cell, each a register, except in a cell where some transaction spans keys: there the
/// whole cell is one object, a map from keys to values.
struct Partition: Sendable {
    /// The sequential object a partition's operations act on.
    enum Model: Sendable {
        /// One key: a value or absent.
        case register
        /// Every key of a cell: each a value or absent.
        case map
    }

    /// The cell the operations act on.
    var cell: String
    /// The key for a register partition; nil for a whole-cell map partition.
    var key: String?
    /// How the operations are judged.
    var model: Model
    /// The operations, in invoke order.
    var operations: [RecordedOperation]

    /// Splits operations into partitions, in order of each partition's first invoke.
    static func split(_ operations: [RecordedOperation]) -> [Partition] {
        var cellOrder: [String] = []
        var byCell: [String: [RecordedOperation]] = [:]
        for operation in operations {
            if byCell[operation.invoke.cell] == nil {
                cellOrder.append(operation.invoke.cell)
            }
            byCell[operation.invoke.cell, default: []].append(operation)
        }
        var partitions: [Partition] = []
        for cell in cellOrder {
            let cellOperations = byCell[cell] ?? []
            if cellOperations.contains(where: { $0.invoke.function == .txn }) {
                partitions.append(Partition(cell: cell, key: nil, model: .map, operations: cellOperations))
            } else {
                partitions.append(contentsOf: splitByKey(cellOperations, cell: cell))
            }
        }
        return partitions
    }

    private static func splitByKey(_ operations: [RecordedOperation], cell: String) -> [Partition] {
        var keyOrder: [String] = []
        var byKey: [String: [RecordedOperation]] = [:]
        for operation in operations {
            // Only transactions lack a key, and a cell with one is checked whole.
            let key = operation.invoke.key ?? ""
            if byKey[key] == nil {
                keyOrder.append(key)
            }
            byKey[key, default: []].append(operation)
        }
        return keyOrder.map { key in
            Partition(cell: cell, key: key, model: .register, operations: byKey[key] ?? [])
        }
    }

    /// Where the partition acts, in words: `key "k1" of cell "vol-7"` or `cell "vol-7"`.
    var placeDescription: String {
        Self.describePlace(cell: cell, key: key)
    }

    /// Names a key of a cell, or a whole cell when the key is nil.
    static func describePlace(cell: String, key: String?) -> String {
        let cellText = "cell \(JSONText.quoted(cell))"
        guard let key else { return cellText }
        return "key \(JSONText.quoted(key)) of \(cellText)"
    }

    /// The model in words, for explanations.
    var modelDescription: String {
        switch model {
        case .register: return "a register"
        case .map: return "a key-value map"
        }
    }
}
