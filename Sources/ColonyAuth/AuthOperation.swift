/// What a request asks to do, as authorization judges it. Each RPC of the node maps to one
/// (see the README's table); a session's operations map as their single calls do.
public enum AuthOperation: Hashable, Sendable, CustomStringConvertible {
    /// Reads `keys` of the cell: Get, List, Watch, CellInfo (the last two read every key).
    case read(cell: String, keys: KeyScope = .every)
    /// Changes `keys` of the cell: Put, Delete, CompareAndSet, Increment, Transaction (a
    /// transaction's keys are every key its conditions and steps name, read ones included).
    case write(cell: String, keys: KeyScope = .every)
    /// Reads the directory's record of the cell (a Get of `cell/NAME` in `_directory`): how a
    /// client that has never seen the cell finds its members.
    case discoveryHint(cell: String)
    /// Reads the policy itself (a Get of `auth/policy` in `_directory`): how any client
    /// learns which roles it holds (`colony auth whoami`).
    case readPolicy
    /// Creates the cell on the members the request names (raw CreateCell, outside the
    /// directory's placement: `colony cell create` goes through the control plane).
    case createCell(String)
    /// Deletes the cell through its log.
    case deleteCell(String)
    /// Fills a cell never written with a backup's keys at their versions (Restore).
    case restoreCell(String)
    /// Lists every cell a node hosts.
    case listCells
    /// Replaces a member of the cell (ChangeMembership).
    case changeMembership(cell: String)
    /// Hands the cell's lead to another member (TransferLeadership).
    case transferLeadership(cell: String)
    /// Forces a damaged replica of the cell to vote again (ForceHeal).
    case forceHeal(cell: String)

    /// The cell the operation touches, if one.
    public var cell: String? {
        switch self {
        case .read(let cell, _), .write(let cell, _), .discoveryHint(let cell), .createCell(let cell), .deleteCell(let cell), .restoreCell(let cell),
             .changeMembership(let cell),
             .transferLeadership(let cell), .forceHeal(let cell):
            return cell
        case .listCells, .readPolicy:
            return nil
        }
    }

    /// The keys a read or a write touches; nil for the other operations.
    public var keys: KeyScope? {
        switch self {
        case .read(_, let keys), .write(_, let keys): return keys
        case .discoveryHint, .readPolicy, .createCell, .deleteCell, .restoreCell, .listCells, .changeMembership, .transferLeadership, .forceHeal:
            return nil
        }
    }

    /// Whether the operation belongs to the control plane or to maintenance: the admin
    /// role's own, audited whenever it is allowed. Writes to reserved cells (the directory:
    /// drain, pause, placements, the policy itself) count as such.
    public var isAdministrative: Bool {
        switch self {
        case .write(let cell, _): return Reserved.isReserved(cell)
        case .read, .discoveryHint, .readPolicy, .listCells: return false
        case .createCell, .deleteCell, .restoreCell, .changeMembership, .transferLeadership, .forceHeal: return true
        }
    }

    public var description: String {
        switch self {
        case .read(let cell, .every): return "read cell \(cell)"
        case .read(let cell, let keys): return "read \(keys) of cell \(cell)"
        case .write(let cell, .every): return "write cell \(cell)"
        case .write(let cell, let keys): return "write \(keys) of cell \(cell)"
        case .discoveryHint(let cell): return "read the directory's record of cell \(cell)"
        case .createCell(let cell): return "create cell \(cell)"
        case .deleteCell(let cell): return "delete cell \(cell)"
        case .restoreCell(let cell): return "restore cell \(cell) from a backup"
        case .listCells: return "list the cells of a node"
        case .readPolicy: return "read the authorization policy"
        case .changeMembership(let cell): return "change the members of cell \(cell)"
        case .transferLeadership(let cell): return "transfer the lead of cell \(cell)"
        case .forceHeal(let cell): return "force a damaged replica of cell \(cell) to vote"
        }
    }
}
