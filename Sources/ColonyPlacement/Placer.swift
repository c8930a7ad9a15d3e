import ColonyCore

/// Places cells on a fleet one after another, keeping the blast radius of every fault small.
///
/// ## The rules, strongest first
/// 1. **Zones and racks.** With three or more zones no zone holds a majority (3/2/2 for 7
///    replicas), so a majority survives any one zone's loss; no rack holds two replicas.
/// 2. **Bounded overlap** (shuffle sharding). Two cells of the same replica count share at
///    most `overlapMax` nodes — 3 of 7 by default — so the 4 nodes that can take one cell's
///    majority never lie inside a second cell: one cell's poison workload or failed nodes
///    cannot take another cell's quorum.
/// 3. **Near zone.** A request that names its clients' zone gets the preferred leader and a
///    majority there, so its commits stay in that zone while the zone is healthy. That zone's
///    loss then takes the cell's majority (rule 1 gives way; the placement says so) — as
///    Physalia does, the cell shares the fate of the clients it serves.
/// 4. **Even load.** Among the sets that keep the rules, the least-loaded nodes are chosen
///    (nodes of equal load in an order drawn from the cell's seed), and the preferred leader
///    is the member leading the fewest cells.
/// Colors are never mixed: a cell's nodes all have the request's color. When the fleet cannot
/// keep a rule, the placement lists it in `relaxed` with the reason.
///
/// ## How overlap is bounded
/// Sharing more than `j` nodes with an earlier cell means holding one of its `(j + 1)`-node
/// subsets. Every placed cell records its subsets (35 sets of 4 for 7 replicas) in a
/// `SubsetIndex`, one bit per possible set, and the search checks each candidate against it
/// (`CellSearch`). The index's size depends on the fleet, not on the number of cells.
///
/// ## Determinism
/// A placement depends only on the fleet, the configuration, the cells placed and removed
/// before it (through the loads and the index), and the cell's name: the seed of its choices
/// is a hash of the name and `configuration.seed`. No global randomness, no clock.
///
/// The placer keeps no list of cells: the caller (the directory, a report) keeps the
/// placements it was given and hands one back to `remove` or `replace`.
public struct Placer: Sendable {
    /// The nodes, their domains, colors and states.
    public private(set) var fleet: Fleet
    /// The seed, the overlap bound and the search limit.
    public let configuration: PlacerConfiguration
    /// Cells placed or recorded and not removed.
    public internal(set) var cellCount = 0
    var loads = NodeLoads()
    /// The overlap indexes, by subset size (the overlap bound plus one).
    var indexes: [Int: SubsetIndex] = [:]
    /// Zone and rack caps by color and replica count (`color * 16 + replicas`); cleared when
    /// the fleet changes.
    var plans: [Int: ZonePlan] = [:]

    /// A placer for `fleet`; throws when the configuration is out of range.
    public init(fleet: Fleet, configuration: PlacerConfiguration = PlacerConfiguration()) throws(PlacementError) {
        try configuration.validate()
        self.fleet = fleet
        self.configuration = configuration
        for index in fleet.nodes.indices {
            loads.addNode(color: fleet.colorOfNode[index], active: fleet.nodes[index].state == .active)
        }
    }

    /// Replicas held by node `id` (0 for a node the fleet does not have).
    public func replicas(on id: NodeID) -> Int {
        fleet.index(of: id).map { loads.replicas[$0] } ?? 0
    }

    /// Cells node `id` is the preferred leader of.
    public func leaders(on id: NodeID) -> Int {
        fleet.index(of: id).map { loads.leaders[$0] } ?? 0
    }

    /// Bytes held by the overlap indexes, which are nearly all of the placer's memory.
    public var indexBytes: Int {
        indexes.values.reduce(0) { $0 + $1.bytes }
    }

    /// Chooses the nodes of `request`'s cell and counts them as placed.
    public mutating func place(_ request: PlacementRequest) throws(PlacementError) -> Placement {
        try placeWithIndices(request).placement
    }

    /// `place`, also giving the members and leader as node indices (for tables of many cells).
    mutating func placeWithIndices(_ request: PlacementRequest) throws(PlacementError) -> (placement: Placement, members: [Int], leader: Int) {
        let color = try check(request)
        let active = loads.activeCount(color)
        guard active >= request.replicas else {
            throw .tooFewNodes(cell: request.cell, color: request.color, active: active, replicas: request.replicas)
        }
        let subsetSize = try ensureIndex(replicas: request.replicas)
        let generator = CellSeed.generator(for: request.cell, seed: configuration.seed)
        let choice = choose(request, color: color, kept: [], excluded: nil, subsetSize: subsetSize, generator: generator)
        let leader = preferredLeader(of: choice.members, request: request)
        let placement = makePlacement(request, members: choice.members, leader: leader, relaxed: choice.relaxed)
        register(members: choice.members, leader: leader, replicas: request.replicas)
        return (placement, choice.members, leader)
    }

    /// Replaces member `node` of `placement` (draining, gone, or to be moved off) by a node
    /// that keeps the rules, and returns the new placement; the old one is no longer counted.
    public mutating func replace(_ node: NodeID, in placement: Placement) throws(PlacementError) -> Placement {
        let request = placement.request
        let color = try check(request)
        let (members, leader) = try resolvePlaced(placement)
        guard let removed = fleet.index(of: node), let slot = members.firstIndex(of: removed) else {
            throw .notAMember(cell: request.cell, node: node)
        }
        let kept = members.enumerated().filter { $0.offset != slot }.map(\.element)
        let candidates = loads.activeNodes(color).filter { !members.contains($0) }.count
        guard candidates >= 1 else {
            throw .tooFewNodes(cell: request.cell, color: request.color, active: candidates + kept.count, replicas: request.replicas)
        }
        let subsetSize = try ensureIndex(replicas: request.replicas)
        unregister(members: members, leader: leader, replicas: request.replicas)
        let generator = CellSeed.generator(for: request.cell, seed: configuration.seed)
        let choice = choose(request, color: color, kept: kept, excluded: removed, subsetSize: subsetSize, generator: generator)
        let newLeader = leader == removed ? preferredLeader(of: choice.members, request: request) : leader
        register(members: choice.members, leader: newLeader, replicas: request.replicas)
        return makePlacement(request, members: choice.members, leader: newLeader, relaxed: choice.relaxed)
    }

    /// Stops counting `placement` (its cell was deleted).
    public mutating func remove(_ placement: Placement) throws(PlacementError) {
        let (members, leader) = try resolvePlaced(placement)
        unregister(members: members, leader: leader, replicas: placement.request.replicas)
    }

    /// Counts `placement`, made elsewhere (by an earlier run of the placer, or by hand), as
    /// placed: how the directory rebuilds a placer, and how a report reads a running colony.
    public mutating func record(_ placement: Placement) throws(PlacementError) {
        let (members, leader) = try resolve(placement)
        _ = try ensureIndex(replicas: placement.request.replicas)
        register(members: members, leader: leader, replicas: placement.request.replicas)
    }

    /// Adds a node to the fleet; active nodes take new replicas from now on.
    public mutating func addNode(_ node: FleetNode) throws(PlacementError) {
        for size in indexes.keys.sorted() where SubsetRank(size: size, nodeCount: fleet.nodes.count + 1) == nil {
            throw .overlapBoundTooWide(subsetSize: size, nodes: fleet.nodes.count + 1)
        }
        do {
            try fleet.add(node)
        } catch {
            throw .fleet(error)
        }
        let index = fleet.nodes.count - 1
        plans = [:]
        loads.addNode(color: fleet.colorOfNode[index], active: node.state == .active)
        for size in indexes.keys {
            let grown = indexes[size]?.grow(toNodeCount: fleet.nodes.count)
            precondition(grown == true, "the index of \(size)-subsets was checked to grow to \(fleet.nodes.count) nodes")
        }
    }

    /// Moves node `id` to `state`: draining and gone nodes take no new replicas (their
    /// replicas stay counted until `replace` moves them).
    public mutating func setState(_ state: NodeState, of id: NodeID) throws(PlacementError) {
        do {
            try fleet.setState(state, of: id)
        } catch {
            throw .fleet(error)
        }
        guard let index = fleet.index(of: id) else { return }
        plans = [:]
        switch state {
        case .active: loads.activate(index)
        case .draining, .gone: loads.deactivate(index)
        }
    }
}
