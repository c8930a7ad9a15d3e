import ColonyCore

/// A cell as the control plane saw it on one pass, gathered from every replica that answered:
/// the newest configuration any replica holds, and what each replica said of itself.
///
/// The cell's log is the truth about its members; a replica removed from the cell may still
/// hold an old configuration, so the newest epoch wins.
public struct ObservedCell: Hashable, Sendable {
    /// What one replica said of itself.
    public struct Replica: Hashable, Sendable {
        /// The epoch of the configuration it holds.
        public var epoch: UInt64
        /// Whether its configuration counts its own node among the members.
        public var isMember: Bool
        /// Whether it waits to be renewed (new here, or lost its state): it does not vote yet.
        public var isDamaged: Bool
        /// The last slot it applied.
        public var appliedThrough: UInt64
        /// The node it believes leads the cell, if any (its own node while it leads).
        public var leader: NodeID?

        /// Makes an observation.
        public init(epoch: UInt64, isMember: Bool, isDamaged: Bool, appliedThrough: UInt64, leader: NodeID? = nil) {
            self.epoch = epoch
            self.isMember = isMember
            self.isDamaged = isDamaged
            self.appliedThrough = appliedThrough
            self.leader = leader
        }
    }

    /// The newest epoch seen.
    public var epoch: UInt64
    /// The members of that epoch, ascending.
    public var members: [NodeID]
    /// Every replica that answered, by node.
    public var replicas: [NodeID: Replica]

    /// Makes an observation.
    public init(epoch: UInt64, members: [NodeID], replicas: [NodeID: Replica]) {
        self.epoch = epoch
        self.members = members.sorted()
        self.replicas = replicas
    }

    /// Whether `node`'s replica is a caught-up, renewed member: it holds the cell's state,
    /// counts itself a member and votes. Renewal comes after the change that added it, so a
    /// renewed member has applied that change and everything before it.
    public func isReadyMember(_ node: NodeID) -> Bool {
        guard members.contains(node), let replica = replicas[node] else { return false }
        return replica.isMember && !replica.isDamaged
    }

    /// The member that says it leads the cell, when exactly one member of the newest epoch
    /// does; nil when none does or several do (an old leader not yet told of the new one).
    public var leader: NodeID? {
        let claiming = members.filter { member in
            guard let replica = replicas[member] else { return false }
            return replica.epoch == epoch && replica.leader == member
        }
        return claiming.count == 1 ? claiming[0] : nil
    }

    /// Whether some member seen waits to be renewed: the cell is not settled enough for another move.
    public var hasUnrenewedMember: Bool {
        members.contains { replicas[$0]?.isDamaged == true }
    }

    /// The members seen waiting to be renewed, in order, when they are a majority of the
    /// cell's; nil otherwise. A renewal commits through the cell's log, and a replica that
    /// waits for one does not vote, so such a cell cannot commit anything, its renewals
    /// included: it waits for an operator.
    public var damagedMajority: [NodeID]? {
        let damaged = members.filter { replicas[$0]?.isDamaged == true }
        return damaged.count >= members.count / 2 + 1 ? damaged : nil
    }

    /// Whether, without `member`, a majority of the cell's members answered as ready: the
    /// replica that replaces it starts empty and votes only once renewed, so removing it
    /// leaves just those to commit.
    public func keepsLiveMajority(without member: NodeID) -> Bool {
        members.filter { $0 != member && isReadyMember($0) }.count >= members.count / 2 + 1
    }

    /// The cells in `summaries` (what each node listed), observed, by cell name: for each
    /// cell, the newest configuration among its replicas and each replica's own report.
    /// Replicas that do not hold the cell's state yet count as damaged members of no epoch.
    public static func gather(_ summaries: [NodeID: [ReplicaSummary]]) -> [String: ObservedCell] {
        var cells: [String: ObservedCell] = [:]
        for node in summaries.keys.sorted() {
            for summary in summaries[node] ?? [] {
                let replica = Replica(
                    epoch: summary.epoch, isMember: summary.isMember, isDamaged: summary.isDamaged,
                    appliedThrough: summary.appliedThrough, leader: summary.leader)
                var cell = cells[summary.cell.name] ?? ObservedCell(epoch: 0, members: [], replicas: [:])
                cell.replicas[node] = replica
                if summary.epoch > cell.epoch {
                    cell.epoch = summary.epoch
                    cell.members = summary.members
                }
                cells[summary.cell.name] = cell
            }
        }
        return cells
    }
}
