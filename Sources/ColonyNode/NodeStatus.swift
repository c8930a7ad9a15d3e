import ColonyCore
import ColonyNodeCore

/// One replica as a status page shows it.
public struct CellStatus: Hashable, Sendable {
    /// The cell.
    public var cell: CellID
    /// The configuration the replica knows, if it has the cell's state.
    public var configuration: CellConfiguration?
    /// Whether this replica leads the cell.
    public var isLeader: Bool
    /// The leader this replica last heard from.
    public var leaderHint: NodeID?
    /// The last slot applied here.
    public var appliedThrough: Slot
    /// The highest slot this replica knows its cell has chosen.
    public var chosenThrough: Slot
    /// Whether the replica lost its stored state and waits to be renewed (it does not vote).
    public var isDamaged: Bool
    /// How many keys the cell holds, as applied here.
    public var keyCount: Int
    /// How many bytes of keys and values the cell holds, as applied here.
    public var byteCount: Int
    /// The cell's revision, as applied here.
    public var revision: Revision

    /// What `replica` says of itself, naming `leader` as the cell's (see
    /// `ReplicaHost.leaderNamed(by:)`).
    init(_ replica: CellReplica, leader: NodeID?) {
        cell = replica.cell
        configuration = replica.configuration
        isLeader = replica.isLeader
        leaderHint = leader
        appliedThrough = replica.appliedThrough
        chosenThrough = replica.chosenThrough
        isDamaged = replica.isDamaged
        keyCount = replica.state?.store.count ?? 0
        byteCount = replica.state?.store.byteCount ?? 0
        revision = replica.state?.store.revision ?? 0
    }
}

/// What a node hosts and has done, at one moment.
public struct NodeStatus: Hashable, Sendable {
    /// The node.
    public var node: NodeID
    /// Its replicas, in cell order.
    public var cells: [CellStatus]
    /// The deleted cells it keeps tombstones of, in order.
    public var deletedCells: [CellID]
    /// The watches it serves now.
    public var watches: Int
    /// Its counters.
    public var statistics: NodeStatistics
    /// Messages to peers dropped because the peer was unreachable or backed up.
    public var droppedPeerMessages: Int

    /// The status as lines for an operator: a summary, then damaged replicas, then every cell.
    public var description: String {
        let leading = cells.filter(\.isLeader).count
        let damaged = cells.filter(\.isDamaged)
        var lines = ["node \(node): \(cells.count) replicas, leading \(leading), \(damaged.count) damaged, \(deletedCells.count) deleted; \(watches) watches; \(statistics.requestsReceived) requests, \(statistics.leaderChanges) leader changes, \(droppedPeerMessages) peer messages dropped"]
        for cell in damaged {
            lines.append("DAMAGED \(cell.cell.name): stored state lost or corrupt; not voting until the cell renews it")
        }
        for cell in cells {
            let leader = cell.leaderHint.map { "\($0)" } ?? "unknown"
            let members = cell.configuration.map { "epoch \($0.epoch), members \($0.members.map { "\($0)" }.joined(separator: ","))" } ?? "no state yet"
            lines.append("  \(cell.cell.name): \(cell.isLeader ? "LEADER" : "leader \(leader)"), applied \(cell.appliedThrough), lag \(cell.chosenThrough - cell.appliedThrough), \(members)")
        }
        return lines.joined(separator: "\n")
    }
}
