import ColonyCore
import ColonyPlacement

/// The control plane's steps for moves, moves near a zone and rebalancing: each tick starts
/// what it can, one membership change per cell, and leaves the rest for a later tick.
extension Simulation {
    /// Starts the `move` fault's moves and moves back whose time has come; drops those that
    /// no longer make sense (the member left, the target left service) or waited too long.
    mutating func stepPlannedMoves() {
        var waiting: [PlannedMove] = []
        for move in control.plannedMoves {
            let cellIndex = move.cellIndex
            let members = control.configurations[cellIndex].members
            let targetFits = move.add.map { !members.contains($0) && service(of: $0) == .inService } ?? true
            guard now <= move.dropAfter, members.contains(move.remove), targetFits else { continue }
            let targetIsUp = move.add.map { nodes[nodeIndex($0)].isUp } ?? true
            guard move.notBefore <= now, targetIsUp, hasRoomForChange(cellIndex), mayRemove(move.remove, cellIndex: cellIndex) else {
                waiting.append(move)
                continue
            }
            if let target = move.add {
                recount(cellIndex, asMembers: members.filter { $0 != move.remove } + [target])
                request(control.placements[cellIndex], cellIndex: cellIndex, reason: .moveBack)
            } else if let next = placerReplacement(of: move.remove, cellIndex: cellIndex) {
                request(next, cellIndex: cellIndex, reason: .move)
            } else {
                waiting.append(move)
            }
        }
        control.plannedMoves = waiting
    }

    /// Takes each cell being moved near a zone one member closer: a member outside the zone
    /// is replaced by the placer's choice for the near-zone request. The move ends when the
    /// zone holds a majority, or when the placer's choice is not in the zone (the fleet
    /// allows no nearer placement; the choice is then not made).
    mutating func stepNearMoves() {
        var going: [NearMove] = []
        for var move in control.nearMoves {
            let cellIndex = move.cellIndex
            let configuration = control.configurations[cellIndex]
            let near = configuration.members.filter { zone(of: $0) == move.zone }.count
            guard near < configuration.quorum, move.stepsLeft > 0 else {
                faultLog.append(FaultLogEntry(time: now, description: "\(cells[cellIndex]) near zone \(move.zone): \(near) of \(configuration.members.count) members there"))
                continue
            }
            guard hasRoomForChange(cellIndex), let member = memberToMoveNear(move, cellIndex: cellIndex),
                  mayRemove(member, cellIndex: cellIndex), let next = placerReplacement(of: member, cellIndex: cellIndex)
            else {
                going.append(move)
                continue
            }
            guard let added = next.members.first(where: { !configuration.contains($0) }), zone(of: added) == move.zone else {
                recount(cellIndex, asMembers: configuration.members)
                faultLog.append(FaultLogEntry(time: now, description: "\(cells[cellIndex]) as near zone \(move.zone) as the fleet allows: \(near) of \(configuration.members.count) members there"))
                continue
            }
            request(next, cellIndex: cellIndex, reason: .nearMove)
            move.stepsLeft -= 1
            going.append(move)
        }
        control.nearMoves = going
    }

    /// The member a near move replaces next: one outside the zone, a member that is not live
    /// first (replacing it costs the cell nothing), then one from the zone holding the most
    /// members, the highest id of equals.
    private func memberToMoveNear(_ move: NearMove, cellIndex: Int) -> NodeID? {
        let members = control.configurations[cellIndex].members
        let zones = members.map { zone(of: $0) }
        let outside = members.filter { zone(of: $0) != move.zone }
        return outside.max { first, second in
            let firstKey = (isLive(first, cellIndex: cellIndex) ? 0 : 1, zones.filter { $0 == zone(of: first) }.count, first)
            let secondKey = (isLive(second, cellIndex: cellIndex) ? 0 : 1, zones.filter { $0 == zone(of: second) }.count, second)
            return firstKey < secondKey
        }
    }

    /// Evens out replicas per node across the nodes that take replicas, after a node joined
    /// or returned: a replica moves from the most loaded node to the placer's choice, if that
    /// node holds at least two fewer. Stops when loads differ by at most one, or when no cell
    /// on the most loaded node finds a better node.
    mutating func stepRebalancing() {
        guard control.isRebalancing else { return }
        while control.inFlight.count < options.controlChangesInFlightMax {
            let placer = control.placer
            let active = placer.fleet.nodes.filter { $0.state == .active }.map(\.id)
            let load = { (id: NodeID) in (placer.replicas(on: id), id) }
            guard let most = active.max(by: { load($0) < load($1) }), let least = active.min(by: { load($0) < load($1) }) else { return }
            let mostLoad = placer.replicas(on: most)
            guard mostLoad - placer.replicas(on: least) >= 2 else {
                control.isRebalancing = false
                faultLog.append(FaultLogEntry(time: now, description: "rebalanced: \(placer.replicas(on: least)) to \(mostLoad) replicas per node"))
                return
            }
            let untried = cells.indices.filter { control.placements[$0].members.contains(most) && !control.rebalanceTried.contains($0) }
            guard let cellIndex = untried.first(where: { hasRoomForChange($0) }) else {
                if untried.isEmpty { control.isRebalancing = false }
                return
            }
            guard mayRemove(most, cellIndex: cellIndex), let next = placerReplacement(of: most, cellIndex: cellIndex),
                  let added = next.members.first(where: { !control.configurations[cellIndex].contains($0) }),
                  control.placer.replicas(on: added) - 1 <= mostLoad - 2
            else {
                recount(cellIndex, asMembers: control.configurations[cellIndex].members)
                control.rebalanceTried.insert(cellIndex)
                continue
            }
            request(next, cellIndex: cellIndex, reason: .rebalance)
        }
    }

    /// The zone of fleet node `id`, or nil for a node the fleet does not have.
    func zone(of id: NodeID) -> String? {
        let fleet = control.placer.fleet
        return fleet.index(of: id).map { fleet.nodes[$0].zone }
    }
}
