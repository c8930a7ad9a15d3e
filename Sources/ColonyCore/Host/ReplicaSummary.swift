/// What one replica says of itself when its node lists the replicas it hosts: the
/// configuration it holds, whether it counts itself a member and votes, how far it applied,
/// and whom it takes for the leader.
///
/// The control plane observes a colony from these (`ObservedCell.gather` in ColonyControl):
/// a real node answers `ListCells` with them, and the simulator's nodes give the same, so both
/// feed the control plane's decisions the same values. A replica removed from its cell may
/// still hold an old configuration; the newest epoch among a cell's replicas is the cell's.
public struct ReplicaSummary: Hashable, Sendable {
    /// The cell.
    public var cell: CellID
    /// The epoch of the configuration the replica holds; 0 while it holds none (it has no
    /// state yet), since every configuration's epoch is 1 or more.
    public var epoch: Epoch
    /// The members of that configuration, ascending; empty while it holds none.
    public var members: [NodeID]
    /// Whether that configuration counts the replica's own node among the members.
    public var isMember: Bool
    /// Whether it waits to be renewed (new here, or lost its state): it does not vote yet.
    public var isDamaged: Bool
    /// The last slot it applied.
    public var appliedThrough: Slot
    /// The node it believes leads the cell, if any (its own node while it leads).
    public var leader: NodeID?

    /// Makes a summary.
    public init(
        cell: CellID, epoch: Epoch, members: [NodeID], isMember: Bool, isDamaged: Bool, appliedThrough: Slot,
        leader: NodeID? = nil
    ) {
        self.cell = cell
        self.epoch = epoch
        self.members = members.sorted()
        self.isMember = isMember
        self.isDamaged = isDamaged
        self.appliedThrough = appliedThrough
        self.leader = leader
    }
}

extension ReplicaSummary {
    /// What `replica` says of itself, naming `leader` as the cell's (see
    /// `ReplicaHost.leaderNamed(by:)`): a real node lists these values (`ListCells`), and the
    /// simulator's nodes hand over the same.
    public init(_ replica: CellReplica, leader: NodeID?) {
        let configuration = replica.configuration
        self.init(
            cell: replica.cell, epoch: configuration?.epoch ?? 0, members: configuration?.members ?? [], isMember: replica.isMember,
            isDamaged: replica.isDamaged, appliedThrough: replica.appliedThrough,
            leader: leader)
    }
}

extension ReplicaHost {
    /// What every replica hosted here says of itself, in cell order; a replica waiting for a
    /// candidate to stand names no leader.
    public var summaries: [ReplicaSummary] {
        cells.compactMap { replica($0).map { ReplicaSummary($0, leader: leaderNamed(by: $0)) } }
    }

    /// Whom `replica`, hosted here, names as its cell's leader: this node while it leads,
    /// nobody while it waits for its cell's first candidate to stand, else the leader it
    /// trusts.
    public func leaderNamed(by replica: CellReplica) -> NodeID? {
        if replica.isLeader { return replica.node }
        return awaitsCandidate(replica.cell) ? nil : replica.leaderHint
    }
}
