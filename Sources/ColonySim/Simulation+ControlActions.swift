import ColonyCore
import ColonyPlacement

/// The control plane's actions, drawn from the fault schedule. Each only records what is
/// wanted and wakes the control plane, whose ticks carry it out one membership change at a
/// time (see `Simulation+Control.swift`). Each returns what it does, in words, or nil when
/// it cannot act now (too few nodes in service, no spare left, too many nodes down).
extension Simulation {
    /// Starts the control action `kind` (`move`, `drain`, `remove`, `add`, `move-near`).
    mutating func startControlAction(_ kind: FaultKind) -> String? {
        switch kind {
        case .move: return startMove()
        case .drain: return startDrain()
        case .remove: return startRemoval()
        case .add: return startAddition()
        case .moveNear: return startNearMove()
        case .partition, .oneWay, .clog, .crash, .stop, .pause, .corrupt, .loss, .duplicate, .reorder:
            preconditionFailure("Invalid state: \(kind.rawValue) is a fault, not a control action")
        }
    }

    /// `drain`: a node in service is drained, if the fleet keeps at least one node more in
    /// service than a cell has replicas.
    mutating func startDrain() -> String? {
        guard control.inServiceCount - 1 >= options.replicas + 1 else { return nil }
        let candidates = nodes.indices.filter { control.service[$0] == .inService }
        guard let index = candidates.randomElement(using: &random) else { return nil }
        return drain(index)
    }

    /// Drains node `index`: the placer gives it no new replica, and the control plane moves
    /// each of its replicas to a node the placer chooses.
    @discardableResult
    mutating func drain(_ index: Int) -> String {
        control.service[index] = .draining
        control.reportedEmpty.remove(index)
        statistics.control.drains += 1
        wakeControlPlane()
        let id = nodes[index].id
        let replicas = control.configurations.filter { $0.contains(id) }.count
        return "drain \(id): move its \(replicas) replicas off"
    }

    /// `remove`: a running node is lost for good (it goes down and never restarts); the
    /// control plane notices 100-500 ms later and declares it gone.
    mutating func startRemoval() -> String? {
        guard mayTakeANode else { return nil }
        let keepsEnough = control.inServiceCount - 1 >= options.replicas + 1
        let candidates = nodes.indices.filter { index in
            guard nodes[index].isUp else { return false }
            switch control.service[index] {
            case .inService: return keepsEnough
            case .draining: return true
            case .spare, .gone: return false
            }
        }
        guard let index = candidates.randomElement(using: &random) else { return nil }
        nodes[index].crash(using: &random)
        nodes[index].isGone = true
        statistics.control.removals += 1
        schedule(.declareGone(nodeIndex: index), after: 100 * Nanoseconds.millisecond + random.next() % (400 * Nanoseconds.millisecond))
        return "lose \(nodes[index].id) for good: it goes down and never comes back"
    }

    /// The control plane declares lost node `index` gone: its replicas are re-placed.
    mutating func declareGone(_ index: Int) {
        control.service[index] = .gone
        control.reportedEmpty.remove(index)
        let id = nodes[index].id
        let replicas = control.configurations.filter { $0.contains(id) }.count
        faultLog.append(FaultLogEntry(time: now, description: "declare \(id) gone: re-place its \(replicas) replicas"))
        wakeControlPlane()
    }

    /// `add`: the next spare node joins the fleet, and replicas are rebalanced onto it.
    mutating func startAddition() -> String? {
        guard let index = control.service.firstIndex(of: .spare) else { return nil }
        let node = control.layout[index]
        do {
            try control.placer.addNode(node)
        } catch {
            preconditionFailure("Invalid state: spare \(node.id) was laid out to fit the fleet: \(error)")
        }
        control.service[index] = .inService
        statistics.control.additions += 1
        beginRebalancing()
        return "add \(node.id) (zone \(node.zone), rack \(node.rack)) to the fleet and rebalance onto it"
    }

    /// A drained node returns to service, and replicas are rebalanced onto it.
    mutating func returnToService(_ index: Int) {
        guard control.service[index] == .draining, control.reportedEmpty.contains(index) else { return }
        control.service[index] = .inService
        control.reportedEmpty.remove(index)
        statistics.control.returns += 1
        faultLog.append(FaultLogEntry(time: now, description: "\(nodes[index].id) returns to service"))
        beginRebalancing()
    }

    /// `move-near`: a cell's clients are now in a zone chosen at random; its members are
    /// re-chosen with that zone named, one at a time.
    mutating func startNearMove() -> String? {
        let cellIndex = Int(random.next() % UInt64(cells.count))
        let zones = control.placer.fleet.zones
        let zone = zones[Int(random.next() % UInt64(zones.count))]
        guard !control.nearMoves.contains(where: { $0.cellIndex == cellIndex }) else { return nil }
        control.placements[cellIndex].request.nearZone = zone
        control.nearMoves.append(NearMove(cellIndex: cellIndex, zone: zone, stepsLeft: options.replicas))
        statistics.control.nearMoves += 1
        wakeControlPlane()
        return "move \(cells[cellIndex]) near zone \(zone)"
    }

    /// `move`: a cell is moved off one of its members, chosen at random, onto a node the
    /// placer chooses; once applied, it is moved back 1-3 s later.
    mutating func startMove() -> String? {
        let cellIndex = Int(random.next() % UInt64(cells.count))
        let members = control.configurations[cellIndex].members
        let member = members[Int(random.next() % UInt64(members.count))]
        control.plannedMoves.append(PlannedMove(
            cellIndex: cellIndex, remove: member, add: nil, notBefore: now, dropAfter: now + 2 * Nanoseconds.second))
        statistics.faultsInjected += 1
        wakeControlPlane()
        return "moving \(cells[cellIndex]) off \(member)"
    }

    private mutating func beginRebalancing() {
        control.isRebalancing = true
        control.rebalanceTried = []
        wakeControlPlane()
    }
}
