import ColonyCore

extension Placer {
    /// The color index of a valid request; throws a `PlacementError` saying what is wrong.
    func check(_ request: PlacementRequest) throws(PlacementError) -> Int {
        let replicas = request.replicas
        guard replicas % 2 == 1, (PlacementRequest.replicasMin...PlacementRequest.replicasMax).contains(replicas) else {
            throw .badReplicaCount(cell: request.cell, replicas: replicas)
        }
        guard let color = fleet.colorIndex(of: request.color) else {
            throw .unknownColor(cell: request.cell, color: request.color, known: fleet.colors)
        }
        if let zone = request.nearZone, fleet.zoneIndex(of: zone) == nil {
            throw .unknownZone(cell: request.cell, zone: zone, known: fleet.zones)
        }
        return color
    }

    /// The subset size that bounds overlap for `replicas`-replica cells (nil: no bound), with
    /// its index made ready.
    mutating func ensureIndex(replicas: Int) throws(PlacementError) -> Int? {
        let size = configuration.overlapMax(replicas: replicas) + 1
        guard size <= replicas else { return nil }
        if indexes[size] == nil {
            guard let index = SubsetIndex(size: size, nodeCount: fleet.nodes.count) else {
                throw .overlapBoundTooWide(subsetSize: size, nodes: fleet.nodes.count)
            }
            indexes[size] = index
        }
        return size
    }

    /// The zone and rack caps for `request`'s color and replica count, worked out once per
    /// fleet change.
    mutating func zonePlan(color: Int, request: PlacementRequest) -> ZonePlan {
        let key = color * 16 + request.replicas
        if let plan = plans[key] { return plan }
        let shape = ColorShape(fleet: fleet, activeNodes: loads.activeNodes(color))
        let zones = shape.zoneCaps(replicas: request.replicas, color: request.color, zoneNames: fleet.zones)
        let racks = shape.rackCap(replicas: request.replicas, caps: zones.caps, color: request.color, zoneNames: fleet.zones)
        let plan = ZonePlan(shape: shape, zones: zones, racks: racks)
        plans[key] = plan
        return plan
    }

    /// The member to lead: in the near zone when members are there, the one leading fewest
    /// cells, the earliest chosen on a tie.
    func preferredLeader(of members: [Int], request: PlacementRequest) -> Int {
        let nearZone = request.nearZone.flatMap { fleet.zoneIndex(of: $0) }
        let near = members.filter { fleet.zoneOfNode[$0] == nearZone }
        let candidates = near.isEmpty ? members : near
        var best = candidates[0]
        for node in candidates.dropFirst() where loads.leaders[node] < loads.leaders[best] {
            best = node
        }
        return best
    }

    /// The placement of `request` on node indices `members` led by `leader`.
    func makePlacement(_ request: PlacementRequest, members: [Int], leader: Int, relaxed: [Relaxation]) -> Placement {
        Placement(
            request: request, members: members.map { fleet.nodes[$0].id }, preferredLeader: fleet.nodes[leader].id,
            relaxed: relaxed)
    }

    /// Counts a cell on `members` led by `leader`: loads, leaderships and its subsets.
    mutating func register(members: [Int], leader: Int, replicas: Int) {
        for node in members { loads.addReplica(node) }
        loads.addLeaders(1, on: leader)
        if let size = subsetSize(replicas: replicas), var index = indexes.removeValue(forKey: size) {
            let sorted = members.sorted()
            let keys = SubsetMasks.table[size][sorted.count].map { index.rank.rank(choosing: $0, of: sorted) }
            keys.withUnsafeBufferPointer { index.insert($0) }
            indexes[size] = index
        }
        cellCount += 1
    }

    /// Stops counting a cell on `members` led by `leader`.
    mutating func unregister(members: [Int], leader: Int, replicas: Int) {
        for node in members { loads.removeReplica(node) }
        loads.addLeaders(-1, on: leader)
        if let size = subsetSize(replicas: replicas), var index = indexes.removeValue(forKey: size) {
            let sorted = members.sorted()
            for mask in SubsetMasks.table[size][sorted.count] {
                index.remove(index.rank.rank(choosing: mask, of: sorted))
            }
            indexes[size] = index
        }
        cellCount -= 1
    }

    /// The subset size bounding overlap for `replicas`, nil when there is no bound.
    func subsetSize(replicas: Int) -> Int? {
        let size = configuration.overlapMax(replicas: replicas) + 1
        return size <= replicas ? size : nil
    }

    /// The node indices of `placement`'s members and leader, checked: known nodes, the
    /// right number, distinct, the leader among them.
    func resolve(_ placement: Placement) throws(PlacementError) -> (members: [Int], leader: Int) {
        let request = placement.request
        let replicas = request.replicas
        guard replicas % 2 == 1, (PlacementRequest.replicasMin...PlacementRequest.replicasMax).contains(replicas) else {
            throw .badReplicaCount(cell: request.cell, replicas: replicas)
        }
        var members: [Int] = []
        for id in placement.members {
            guard let index = fleet.index(of: id) else { throw .unknownNode(cell: request.cell, node: id) }
            members.append(index)
        }
        guard members.count == replicas, Set(members).count == replicas else {
            throw .inconsistentPlacement(
                cell: request.cell, detail: "\(placement.members.count) members (\(Set(members).count) distinct) for \(replicas) replicas")
        }
        guard let leader = fleet.index(of: placement.preferredLeader), members.contains(leader) else {
            throw .inconsistentPlacement(cell: request.cell, detail: "preferred leader \(placement.preferredLeader) is not a member")
        }
        return (members, leader)
    }

    /// `resolve`, and also checks that this placer counts the placement: its nodes hold
    /// replicas, its leader leads, and its subsets are in the overlap index.
    func resolvePlaced(_ placement: Placement) throws(PlacementError) -> (members: [Int], leader: Int) {
        let (members, leader) = try resolve(placement)
        let cell = placement.request.cell
        for node in members where loads.replicas[node] == 0 {
            throw .notPlaced(cell: cell, detail: "member \(fleet.nodes[node].id) holds no replica")
        }
        guard loads.leaders[leader] > 0 else {
            throw .notPlaced(cell: cell, detail: "preferred leader \(placement.preferredLeader) leads no cell")
        }
        if let size = subsetSize(replicas: placement.request.replicas), let index = indexes[size] {
            let sorted = members.sorted()
            for mask in SubsetMasks.table[size][sorted.count] where !index.contains(index.rank.rank(choosing: mask, of: sorted)) {
                throw .notPlaced(cell: cell, detail: "its members are not a placed set of \(sorted.count) nodes")
            }
        }
        return (members, leader)
    }
}
