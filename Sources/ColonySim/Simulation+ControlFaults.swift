import ColonyControl
import ColonyCore

/// The fault schedule's control actions: each becomes an operator's command, queued; the
/// operator and the production control loop carry it out. Each returns what it does, in
/// words, or nil when it cannot act now (too few nodes, no spare left, too many nodes down).
extension Simulation {
    /// Starts the control action `kind` (`move`, `drain`, `remove`, `add`, `move-near`).
    mutating func startControlAction(_ kind: FaultKind) -> String? {
        guard control.isBootstrapped else { return nil }
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

    /// The nodes the operator counts active, by node index.
    private var activeNodes: [Int] {
        control.service.filter { $0.value == .active }.keys.sorted()
    }

    /// Whether the fleet keeps at least one active node more than the largest cell has
    /// replicas, after one leaves: room to re-place every replica.
    private var fleetHasRoomToLoseANode: Bool {
        activeNodes.count - 1 >= options.replicas + 1
    }

    /// `drain`: an active node is drained.
    private mutating func startDrain() -> String? {
        guard fleetHasRoomToLoseANode, let index = activeNodes.randomElement(using: &random) else { return nil }
        enqueue(.setState(node: nodes[index].id.rawValue, .draining))
        return "drain \(nodes[index].id)"
    }

    /// `remove`: a running node is lost for good (it goes down and never restarts); the
    /// operator notices 100-500 ms later and declares it gone. Only a node whose cells all
    /// keep a majority that votes without it, whatever change is on its way, is lost.
    private mutating func startRemoval() -> String? {
        guard mayTakeANode else { return nil }
        let candidates = nodes.indices.filter { index in
            guard nodes[index].isUp, let state = control.service[index], mayTakeForGood(index) else { return false }
            return state == .draining || (state == .active && fleetHasRoomToLoseANode)
        }
        guard let index = candidates.randomElement(using: &random) else { return nil }
        nodes[index].crash(at: now, using: &random)
        nodes[index].isGone = true
        statistics.control.removals += 1
        schedule(.operatorCommand(.setState(node: nodes[index].id.rawValue, .gone)), after: 100 * Nanoseconds.millisecond + random.next() % (400 * Nanoseconds.millisecond))
        return "lose \(nodes[index].id) for good: it goes down and never comes back"
    }

    /// `add`: the next spare node joins the fleet; the control loop rebalances onto it.
    private mutating func startAddition() -> String? {
        guard let index = control.spares.first(where: { nodes[$0].isUp }) else { return nil }
        enqueue(.join(control.record(ofNode: index)))
        return "join \(nodes[index].id) to the fleet"
    }

    /// `move-near`: a cell's clients are now in a zone chosen at random.
    private mutating func startNearMove() -> String? {
        let cell = cells[Int(random.next() % UInt64(cells.count))]
        let zones = Array(Set(control.layout.map(\.zone))).sorted()
        let zone = zones[Int(random.next() % UInt64(zones.count))]
        enqueue(.move(cell: cell.name, .near(zone: zone)))
        return "move \(cell) near zone \(zone)"
    }

    /// `move`: a cell is moved off one of its members, chosen at random, and back 1-3 s later.
    private mutating func startMove() -> String? {
        let cell = cells[Int(random.next() % UInt64(cells.count))]
        guard let members = control.configurations[cell]?.members else { return nil }
        let member = members[Int(random.next() % UInt64(members.count))]
        enqueue(.move(cell: cell.name, .off(member)))
        return "move \(cell) off \(member)"
    }
}
