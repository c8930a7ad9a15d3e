import ColonyAuth
import ColonyClient
import ColonyCore

extension AuthOperation {
    /// What `operation` on cell `cell` asks, as authorization judges it: reads and writes of
    /// the cell's keys (a transaction's conditions and steps all count as written), its deletion; a Get of the directory's record of a cell is that cell's
    /// discovery hint, which any grant on the cell allows, and a Get of the policy's record
    /// is a read of the policy, which any client may make.
    init(_ operation: CellOperation, cell: String) {
        switch operation {
        case .get(let key) where cell == ColonyDirectory.cell && key.string == ColonyDirectory.policyKey:
            self = .readPolicy
        case .get(let key) where cell == ColonyDirectory.cell && key.string.hasPrefix(ColonyDirectory.cellPrefix):
            self = .discoveryHint(cell: String(key.string.dropFirst(ColonyDirectory.cellPrefix.count)))
        case .get(let key):
            self = .read(cell: cell, keys: .key(key.string))
        case .list(let prefix, _):
            self = .read(cell: cell, keys: prefix.string.isEmpty ? .every : .prefix(prefix.string))
        case .put(let key, _), .delete(let key), .compareAndSet(let key, _, _), .increment(let key, _):
            self = .write(cell: cell, keys: .key(key.string))
        case .transaction(let transaction):
            let named = transaction.conditions.map(\.key.string) + (transaction.success + transaction.failure).map(\.key.string)
            self = .write(cell: cell, keys: .keys(named))
        case .changeMembership:
            self = .changeMembership(cell: cell)
        case .deleteCell:
            self = .deleteCell(cell)
        case .restore:
            self = .restoreCell(cell)
        }
    }
}

extension CellOperation {
    /// The keys the operation writes, as an audit line names them.
    var writtenKeys: [String] {
        switch self {
        case .put(let key, _), .delete(let key), .compareAndSet(let key, _, _), .increment(let key, _):
            return [key.string]
        case .transaction(let transaction):
            return (transaction.success + transaction.failure).compactMap { step in
                if case .get = step { return nil }
                return step.key.string
            }
        case .restore(let part):
            return part.items.map(\.key.string)
        case .get, .list, .changeMembership, .deleteCell:
            return []
        }
    }
}

extension NodeMetrics.RequestKind {
    /// The RPC of the client API a request of this kind is, as refusals and audit lines name it.
    var rpc: String {
        switch self {
        case .get: return "Get"
        case .put: return "Put"
        case .delete: return "Delete"
        case .compareAndSet: return "CompareAndSet"
        case .increment: return "Increment"
        case .list: return "List"
        case .transaction: return "Transaction"
        case .deleteCell: return "DeleteCell"
        case .restore: return "Restore"
        }
    }
}
