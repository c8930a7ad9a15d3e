import ColonyControl
import ColonyCore
import ColonyPlacement

/// A small colony for the reconcile tests: 9 nodes in 3 zones (3 racks each), cells placed by
/// the placer, every replica seen settled.
struct ControlFixture {
    var snapshot: DirectorySnapshot
    var observed: [String: ObservedCell]

    init(cells: [String], replicas: Int = 5) throws {
        let nodes = (1...9).map { id in
            NodeRecord(
                id: UInt32(id), peerAddress: "127.0.0.1:\(7100 + id)", clientAddress: "127.0.0.1:\(7200 + id)",
                zone: "z\((id - 1) % 3 + 1)", rack: "r\((id - 1) / 3 + 1)")
        }
        snapshot = DirectorySnapshot(nodes: nodes, cells: [], settings: ControlSettings())
        var placer = try Reconciler.makePlacer(snapshot)
        for name in cells {
            let placement = try placer.place(PlacementRequest(cell: CellID(name), replicas: replicas))
            snapshot.cells.append(PlacedCell(
                placement: placement, clientAddresses: Reconciler.clientAddresses(of: placement.members, nodes: nodes)))
        }
        observed = [:]
        for record in snapshot.cells {
            observe(record.cell.name, members: record.placement.members, epoch: 1)
        }
    }

    /// Every listed member seen ready at `epoch`, except those in `damaged`.
    mutating func observe(_ cell: String, members: [NodeID], epoch: UInt64, damaged: Set<NodeID> = []) {
        var replicas: [NodeID: ObservedCell.Replica] = [:]
        for member in members {
            replicas[member] = ObservedCell.Replica(epoch: epoch, isMember: true, isDamaged: damaged.contains(member), appliedThrough: 10)
        }
        observed[cell] = ObservedCell(epoch: epoch, members: members, replicas: replicas)
    }

    mutating func setState(_ state: NodeState, of node: NodeID) {
        guard let index = snapshot.nodes.firstIndex(where: { $0.id == node.rawValue }) else { return }
        snapshot.nodes[index].state = state
    }

    func record(_ cell: String) -> PlacedCell {
        snapshot.cells.first { $0.cell.name == cell }!
    }

    mutating func replace(_ record: PlacedCell) {
        guard let index = snapshot.cells.firstIndex(where: { $0.cell == record.cell }) else { return }
        snapshot.cells[index] = record
    }

    /// The node hosting the most replicas.
    var busiestNode: NodeID {
        var counts: [NodeID: Int] = [:]
        for record in snapshot.cells {
            for member in record.placement.members { counts[member, default: 0] += 1 }
        }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
    }

    /// Adds active node `id`, holding no replica, to the fleet (in zone `zone`, a rack of its own).
    mutating func join(_ id: UInt32, zone: String) {
        snapshot.nodes.append(NodeRecord(
            id: id, peerAddress: "127.0.0.1:\(7100 + id)", clientAddress: "127.0.0.1:\(7200 + id)", zone: zone, rack: "r\(id)"))
    }

    /// Replicas per active node, as the records place them.
    var activeLoads: [NodeID: Int] {
        var loads = Dictionary(uniqueKeysWithValues: snapshot.nodes.filter { $0.state == .active }.map { (NodeID($0.id), 0) })
        for record in snapshot.cells {
            for member in record.placement.members where loads[member] != nil { loads[member, default: 0] += 1 }
        }
        return loads
    }

    /// Records `record`'s move as done and every member seen ready at the next epoch, as a cell
    /// that applied the change and renewed its new member would be.
    mutating func complete(_ record: PlacedCell) {
        var done = record
        done.move = nil
        replace(done)
        let epoch = (observed[record.cell.name]?.epoch ?? 0) + 1
        observe(record.cell.name, members: record.placement.members, epoch: epoch)
    }

    /// What each node would list: every observed replica, as its node reports it.
    var summaries: [NodeID: [ReplicaSummary]] {
        var listed: [NodeID: [ReplicaSummary]] = [:]
        for (name, cell) in observed.sorted(by: { $0.key < $1.key }) {
            for (node, replica) in cell.replicas {
                listed[node, default: []].append(ReplicaSummary(
                    cell: CellID(name), epoch: replica.epoch, members: cell.members, isMember: replica.isMember,
                    isDamaged: replica.isDamaged, appliedThrough: replica.appliedThrough, leader: replica.leader))
            }
        }
        return listed
    }

    /// Records a move under way for `cell`, decided and not yet sent: its first member replaced
    /// by the lowest node outside it. The cell is still seen with its old members.
    mutating func recordMove(of cell: String) {
        var moved = record(cell)
        let members = moved.placement.members
        let leaving = members[0]
        guard let joining = snapshot.nodes.map({ NodeID($0.id) }).first(where: { !members.contains($0) }) else { return }
        moved.placement.members = (members.dropFirst() + [joining]).sorted()
        if moved.placement.preferredLeader == leaving { moved.placement.preferredLeader = joining }
        moved.move = PendingMove(remove: leaving.rawValue, add: joining.rawValue, reason: .drain)
        replace(moved)
    }

    /// Makes `leader`'s replica of `cell` say it leads.
    mutating func observeLeader(_ cell: String, _ leader: NodeID) {
        observed[cell]?.replicas[leader]?.leader = leader
    }

    func plan(
        newMovesMax: Int = 1, movesUnderWayMax: Int = .max, transfersMax: Int = 0, transfersHeld: Set<CellID> = []
    ) -> ReconcilePlan {
        Reconciler.plan(
            snapshot, observed: observed, newMovesMax: newMovesMax, movesUnderWayMax: movesUnderWayMax,
            transfersMax: transfersMax, transfersHeld: transfersHeld)
    }
}

extension ReconcilePlan {
    /// The records of the moves this plan starts.
    var started: [PlacedCell] {
        actions.compactMap { if case .start(let record) = $0 { record } else { nil } }
    }

    /// The leadership transfers this plan asks for.
    var transfers: [CellAction] {
        actions.filter { if case .transferLeadership = $0 { true } else { false } }
    }

    /// The changes this plan sends.
    var changes: [CellAction] {
        actions.filter { if case .change = $0 { true } else { false } }
    }
}
