import ColonyCore
import ColonyPlacement

/// One cell as the directory knows it: where it is placed, its members' client addresses
/// (the discovery hint a client may read), and the move under way, if any. Stored as JSON
/// under `ColonyDirectory.cellKey(name)`.
///
/// The record is the control plane's intent, not the cell's truth: the cell's own log holds
/// its members. While `move` is set, `placement` is where the cell will be once the move is
/// done (`move.add` in it, `move.remove` not). `target`, set by `colony cell move`, is where
/// the cell should end up, reached one move at a time.
public struct PlacedCell: Codable, Hashable, Sendable {
    /// Where the cell is placed (after `move`, if one is under way).
    public var placement: Placement
    /// The client addresses of `placement`'s members: the hint `ColonyClient` reads.
    public var clientAddresses: [String]
    /// The single membership change under way, if any.
    public var move: PendingMove?
    /// Where the cell is being moved to, one member at a time, if anywhere.
    public var target: Placement?

    /// Makes a record.
    public init(placement: Placement, clientAddresses: [String], move: PendingMove? = nil, target: Placement? = nil) {
        self.placement = placement
        self.clientAddresses = clientAddresses
        self.move = move
        self.target = target
    }

    /// The cell's name.
    public var cell: CellID { placement.request.cell }

    /// The placement the placer counts for this cell: the target when there is one, since
    /// that is where the cell is going.
    public var countedPlacement: Placement { target ?? placement }

    /// The record once its target is reached: the target as its placement and no target;
    /// nil unless the placement's members are the target's.
    public var reachingTarget: PlacedCell? {
        guard let target, Set(target.members) == Set(placement.members) else { return nil }
        var reached = self
        reached.placement = target
        reached.target = nil
        return reached
    }

    /// The members before the move under way: `placement` with `move.add` back to `move.remove`.
    public var membersBeforeMove: [NodeID] {
        guard let move else { return placement.members }
        return (placement.members.filter { $0 != NodeID(move.add) } + [NodeID(move.remove)]).sorted()
    }

    /// What is wrong with the record, or nil.
    public var problem: String? {
        let replicas = placement.request.replicas
        guard placement.members.count == replicas, Set(placement.members).count == replicas else {
            return "\(placement.members.count) members for \(replicas) replicas"
        }
        if let move {
            guard placement.members.contains(NodeID(move.add)), !placement.members.contains(NodeID(move.remove)) else {
                return "its move (\(move.remove) → \(move.add)) does not lead to its placement \(placement.members)"
            }
        }
        if let target, target.request.cell != placement.request.cell || target.request.replicas != replicas {
            return "its target is for another cell or replica count"
        }
        return nil
    }
}

/// One membership change the control plane has decided for a cell and not yet seen through:
/// replace `remove` by `add`.
public struct PendingMove: Codable, Hashable, Sendable {
    /// The member whose replica leaves.
    public var remove: UInt32
    /// The node that gets a new replica.
    public var add: UInt32
    /// Why the move was made.
    public var reason: MoveReason

    /// Makes a move.
    public init(remove: UInt32, add: UInt32, reason: MoveReason) {
        self.remove = remove
        self.add = add
        self.reason = reason
    }
}

/// Why the control plane moves a replica.
public enum MoveReason: String, Codable, Hashable, Sendable {
    /// The node is being drained.
    case drain
    /// The node was declared gone; its replica is re-placed.
    case gone
    /// The cell is being moved toward its clients' zone (`colony cell move`).
    case target
    /// Replicas are being evened out over the active nodes (a node joined, or came back).
    case rebalance
}
