import ColonyCore
import ColonyPlacement

/// The simulated control plane's state: the placer and the placement it counts for every
/// cell, where each node stands with the fleet, the membership changes in flight, and the
/// work under way (drains, gone nodes, moves, near-zone moves, rebalancing).
///
/// It acts only as an operator's control plane would: it reads the cells' configurations
/// and the nodes' health, chooses members with the placer, and asks a cell to replace one
/// member at a time through the cell's own log (`Simulation+Control.swift` drives it).
struct ControlPlane {
    /// Chooses every cell's members; knows the fleet, the loads, and the overlap index.
    var placer: Placer
    /// What the placer counts for each cell, by cell index: the cell's members, or the
    /// members it will have once the change in flight is applied.
    var placements: [Placement]
    /// The newest configuration each cell has applied, by cell index, as the nodes report it.
    var configurations: [CellConfiguration]
    /// Every node's zone and rack, by node index, spares included.
    let layout: [FleetNode]
    /// Where each node stands, by node index.
    var service: [NodeService]
    /// The change each cell has in flight, by cell index: at most one per cell.
    var inFlight: [Int: ControlChange] = [:]
    /// Cells being moved near a zone.
    var nearMoves: [NearMove] = []
    /// Moves (the `move` fault) and moves back, waiting for their turn.
    var plannedMoves: [PlannedMove] = []
    /// Whether replicas are being spread onto nodes that joined or returned to service.
    var isRebalancing = false
    /// Cells rebalancing tried to move and found no better node for, by cell index.
    var rebalanceTried: Set<Int> = []
    /// Drained or gone nodes already reported as holding no member, by node index.
    var reportedEmpty: Set<Int> = []
    /// Steps already counted as held back to keep a majority live, so one that waits many
    /// ticks is counted once.
    var heldBack: Set<HeldStep> = []
    /// Whether a control tick is scheduled.
    var isTicking = false
    /// When a cell whose change its leader refused may be asked again, by cell index.
    var retryAt: [Int: UInt64] = [:]

    /// The control plane of a new colony: the fleet of `options`' nodes laid out for `seed`,
    /// and every cell placed by the placer.
    init(options: SimulationOptions, seed: UInt64) {
        let layout = FleetLayout(options: options, seed: seed &* 0xD1B5_4A32_D192_ED03 &+ 3)
        do {
            placer = try Placer(fleet: layout.initialFleet, configuration: PlacerConfiguration(seed: seed))
            placements = []
            configurations = []
            for cellIndex in 0..<options.cells {
                let placement = try placer.place(PlacementRequest(cell: CellID("cell-\(cellIndex)"), replicas: options.replicas(ofCell: cellIndex)))
                placements.append(placement)
                configurations.append(try CellConfiguration(epoch: 1, members: placement.members, startSlot: 1))
            }
        } catch {
            preconditionFailure("Invalid state: validated options place every cell: \(error)")
        }
        self.layout = layout.nodes
        service = layout.nodes.indices.map { $0 < layout.fleetCount ? .inService : .spare }
    }

    /// Whether there is anything to do or to watch: changes in flight, moves waiting, cells
    /// still on drained or gone nodes, or drained and gone nodes not yet reported empty.
    var hasWork: Bool {
        if !inFlight.isEmpty || !nearMoves.isEmpty || !plannedMoves.isEmpty || isRebalancing { return true }
        for index in service.indices where !reportedEmpty.contains(index) {
            switch service[index] {
            case .draining, .gone:
                return true
            case .spare, .inService:
                continue
            }
        }
        return false
    }

    /// How many nodes are in the fleet and in service (up or down).
    var inServiceCount: Int {
        service.reduce(0) { $0 + ($1 == .inService ? 1 : 0) }
    }
}

/// Where a node stands with the control plane.
///
/// Legal transitions: spare → in service (`add`); in service → draining (`drain`); draining
/// → in service (returned once empty); in service or draining → gone (`remove`). Gone is final.
enum NodeService: Hashable {
    /// Running, but not in the fleet yet: it holds no replica and the placer does not know it.
    case spare
    /// In the fleet: it takes replicas while it is up.
    case inService
    /// Its replicas are being moved off (or are all off); it takes no new ones.
    case draining
    /// Lost for good: its replicas are re-placed on other nodes.
    case gone
}

/// Why the control plane replaces a cell's member.
enum ControlReason: Hashable {
    /// The member's node is being drained.
    case drain
    /// The member's node is gone.
    case removal
    /// The member's node holds more replicas than another node can take.
    case rebalance
    /// The cell is being moved near a zone.
    case nearMove
    /// The `move` fault: off one member, onto a node the placer chooses.
    case move
    /// The `move` fault's return: back onto the node the move took the cell off.
    case moveBack
}

/// A membership change the control plane asked a cell for and has not yet seen settled.
struct ControlChange {
    /// The change asked for.
    var change: MembershipChange
    /// Why.
    var reason: ControlReason
    /// The members the cell has once the change is applied (what the placer counts now).
    var members: [NodeID]
    /// When the outcome became unknown (the request timed out), if it did: the change may
    /// still be applied for a while.
    var unknownSince: UInt64?
}

/// A cell being moved near a zone, one member at a time.
struct NearMove {
    /// The cell, by index.
    var cellIndex: Int
    /// The zone its clients are in.
    var zone: String
    /// How many more members it may replace: the move never takes more steps than the cell
    /// has members.
    var stepsLeft: Int
}

/// A move of the `move` fault waiting for its turn: `remove` off the cell, and for a move
/// back, `add` onto it (otherwise the placer chooses).
struct PlannedMove {
    /// The cell, by index.
    var cellIndex: Int
    /// The member to move off.
    var remove: NodeID
    /// The node to move onto, for a move back.
    var add: NodeID?
    /// Not started before this time.
    var notBefore: UInt64
    /// Given up if not started by this time.
    var dropAfter: UInt64
}

/// One step the control plane wants and had to hold back: removing `member` from a cell.
struct HeldStep: Hashable {
    /// The cell, by index.
    var cellIndex: Int
    /// The member the step would remove.
    var member: NodeID
}
