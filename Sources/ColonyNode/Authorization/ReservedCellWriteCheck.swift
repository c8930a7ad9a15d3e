import ColonyClient
import ColonyControl
import ColonyCore

/// What a node checks of a data write to a reserved cell, whoever sends it — an admin's raw
/// `colony put` included — so that the colony's own cells hold only what its own operations
/// write: the directory, records as the control plane and `colony auth` write them; any other
/// reserved cell, no data writes at all.
///
/// The directory's readers refuse a whole listing for one record they cannot read (the
/// control loop then decides nothing), and nodes enforce only a policy they can read. So a
/// write to the directory must be a record its key names that passes its readers' checks
/// (`DirectoryRecord.init(key:bytes:)`: for the policy, also that every node can enforce it
/// and some admin can still change it); a node whose identity the policy revokes is never
/// recorded active or draining (`NodeRevocationCheck`), nor is one the directory records as
/// gone, as far as this node's peer book has read it (a gone node never returns, as `colony
/// node join` says); numbers are never added to records; a delete may take out a cell's or a
/// node's record only (the policy, the settings and the status stay), and never a gone node's.
enum ReservedCellWriteCheck {
    /// What is wrong with `operation` on cell `cell`, or nil when it is not a data write to a
    /// reserved cell or is one the colony's own operations make; `revoked` holds the nodes the
    /// node's policy revokes, `gone` those its peer book read as gone (asked only of a write or
    /// a delete of a node record).
    static func problem(
        _ operation: CellOperation, cell: String, revoked: RevokedNodes, gone: @autoclosure () -> Set<UInt32>
    ) -> String? {
        guard ColonyDirectory.isReserved(cell) else { return nil }
        guard cell == ColonyDirectory.cell else {
            return operation.writtenKeys.isEmpty ? nil : "cell \(cell) is reserved for the colony's own use and takes no data writes"
        }
        switch operation {
        case .put(let key, let bytes), .compareAndSet(let key, _, let bytes):
            return problem(writing: bytes, under: key.string, revoked: revoked, gone: gone)
        case .increment(let key, _):
            return problem(incrementing: key.string)
        case .delete(let key):
            return problem(deleting: key.string, gone: gone)
        case .transaction(let transaction):
            for step in transaction.success + transaction.failure {
                if let problem = problem(step: step, revoked: revoked, gone: gone) { return problem }
            }
            return nil
        case .restore:
            return "cell \(cell) is reserved for the colony's own use and is never restored from a backup"
        case .get, .list, .changeMembership, .deleteCell:
            return nil
        }
    }

    private static func problem(step: TransactionStep, revoked: RevokedNodes, gone: () -> Set<UInt32>) -> String? {
        switch step {
        case .put(let key, let bytes): return problem(writing: bytes, under: key.string, revoked: revoked, gone: gone)
        case .increment(let key, _): return problem(incrementing: key.string)
        case .delete(let key): return problem(deleting: key.string, gone: gone)
        case .get: return nil
        }
    }

    private static func problem(writing bytes: [UInt8], under key: String, revoked: RevokedNodes, gone: () -> Set<UInt32>) -> String? {
        do {
            guard case .node(let record) = try DirectoryRecord(key: key, bytes: bytes), record.state != .gone else { return nil }
            if revoked.contains(NodeID(record.id)) {
                return "the directory's record \(key) is refused: \(NodeRevocationCheck.revokedNodeRecorded(record.id))"
            }
            guard gone().contains(record.id) else { return nil }
            return refusal(key, "node \(record.id) is gone, and a gone node never returns; give the machine a new node id")
        } catch .malformedRecord(_, let reason) {
            return refusal(key, reason)
        } catch {
            return refusal(key, "\(error)")
        }
    }

    private static func problem(incrementing key: String) -> String? {
        refusal(key, "the directory's records hold JSON, not numbers")
    }

    private static func problem(deleting key: String, gone: () -> Set<UInt32>) -> String? {
        if key.hasPrefix(ColonyDirectory.cellPrefix) { return nil }
        guard key.hasPrefix(ColonyDirectory.nodePrefix) else { return refusal(key, "only a cell's or a node's record is ever deleted") }
        // A gone node's record stays: it is what keeps the id from coming back.
        guard let id = UInt32(key.dropFirst(ColonyDirectory.nodePrefix.count)), gone().contains(id) else { return nil }
        return refusal(key, "node \(id) is gone, and its record is what keeps a gone id from returning")
    }

    private static func refusal(_ key: String, _ reason: String) -> String {
        "the directory's record \(key) is written only as the colony's own commands write it (`colony directory`, `cell`, `node`, `control`, `auth` and `upgrade`): \(reason)"
    }
}
