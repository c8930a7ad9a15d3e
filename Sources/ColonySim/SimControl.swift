import ColonyControl
import ColonyCore
import ColonyPlacement

/// The simulated colony's control plane: the production control loop (`ControlLoopCore`,
/// with `Reconciler` inside) against a directory held in a simulated cell, `_directory`,
/// placed and replicated like any other and read and written through the cell's log. The
/// simulator only carries the loop's steps out (directory reads and writes through an
/// operator's client, `ListCells` from the nodes, membership changes and leadership
/// transfers through the nodes' cores) and plays the operator: the fault schedule's control
/// actions are the operator's commands (`drain`, `gone`, a node joining, `cell move`), run
/// by the production `OperatorCommandRun` as the `colony` command runs them. What it keeps of
/// its own is what injects those actions and what checks the outcome (`MajorityChecker`).
struct SimControl {
    /// The production control loop's decisions.
    var loop: ControlLoopCore
    /// The step the loop waits on; nil between passes, and before the directory is made.
    var awaiting: ControlLoopStep?
    /// Every node's zone and rack, by node index, spares included.
    let layout: [FleetNode]
    /// The spares that have not joined the fleet, by node index, in the order they join.
    var spares: [Int]
    /// The newest configuration each cell applied, as its replicas report it; the directory's too.
    var configurations: [CellID: CellConfiguration] = [:]
    /// Where each node stands with the operator, by node index (spares are absent).
    var service: [Int: NodeState] = [:]
    /// Drained or gone nodes already reported as holding no member, by node index.
    var emptied: Set<Int> = []
    /// The operator's commands waiting their turn, oldest first (the fault schedule's
    /// control actions, and the pause at the end of the workload).
    var operatorQueue: [OperatorCommand] = []
    /// What the operator is doing, if anything.
    var operatorPhase: Simulation.OperatorPhase?
    /// Whether the directory holds the colony's first records: the loop and the operator's
    /// commands wait for it.
    var isBootstrapped = false
    /// The control plane's requests in flight (directory operations, membership changes,
    /// leadership transfers), by request number.
    var requests: [UInt64: OperatorRequest] = [:]
    var lastRequest: UInt64 = 0
    /// The loop's client and the operator's, each with its own session at the directory.
    var clients: [OperatorRequest.Purpose: OperatorClient] = [
        .loop: OperatorClient(clientID: ClientID(1 << 62 | 1)), .operatorCommand: OperatorClient(clientID: ClientID(1 << 62 | 2)),
    ]
    /// What each node listed of its replicas on the loop's latest pass: the pass decides its
    /// changes from it, so the majority checker counts as live a member ready there.
    var listing: [NodeID: [ReplicaSummary]] = [:]
    /// The cells the loop asked to change members since their last new configuration: the
    /// change may still be applied (an attempt given up on may be in the cell's log), taking
    /// out a member that votes.
    var changesAwaited: Set<CellID> = []
    /// What the control plane believes of each cell it asks: members, leader, epoch.
    var views: [CellID: CachedCell] = [:]
    /// Reads the directory's listings, decoding only the records written since the last.
    var reader = DirectoryReader()
    /// Why each cell's move under way was started, as the loop wrote it, to count the
    /// changes applied by reason.
    var moveReasons: [CellID: MoveReason] = [:]

    /// The control plane of a colony laid out as `layout` says, its first `fleetCount` nodes
    /// in the fleet.
    init(layout: FleetLayout, seed: UInt64, configuration: ControlLoopCore.Configuration) {
        precondition(layout.fleetCount > 0, "Invalid state: a colony with no node")
        self.layout = layout.nodes
        spares = Array(layout.fleetCount..<layout.nodes.count)
        loop = ControlLoopCore(loop: seed, now: 0, configuration: configuration)
        for index in 0..<layout.fleetCount {
            service[index] = .active
        }
    }

    /// The directory's record of the node at `index`, as the operator writes it when the
    /// node joins (its addresses name it; the simulator routes by node id).
    func record(ofNode index: Int, state: NodeState = .active) -> NodeRecord {
        let place = layout[index]
        return NodeRecord(
            id: place.id.rawValue, peerAddress: "sim-\(place.id.rawValue):7100", clientAddress: "sim-\(place.id.rawValue):7200",
            zone: place.zone, rack: place.rack, color: place.color, state: state)
    }
}

/// One of the control plane's clients of the directory cell: its session there.
struct OperatorClient {
    /// The session id it presents (ids with bit 62 set, which neither client libraries nor
    /// the simulator's workload draw).
    var clientID: ClientID
    /// The last request number used with the directory.
    var sequence: UInt64 = 0
    /// Whether the directory has answered this session, so it exists there.
    var hasSession = false

    /// The next request of this client to `cell`.
    mutating func request(_ operation: CellOperation, cell: CellID, epoch: Epoch?) -> ClientRequest {
        sequence += 1
        return ClientRequest(
            id: RequestID(client: clientID, sequence: sequence), cell: cell, operation: operation, expectedEpoch: epoch,
            opensSession: !hasSession)
    }

    /// The directory forgot the session: the next request opens a new one, under a new id.
    mutating func renewSession() {
        clientID = ClientID(clientID.rawValue &+ 4)
        sequence = 0
        hasSession = false
    }
}
