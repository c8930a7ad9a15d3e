import ColonyCore
import ColonyPlacement

/// The control plane's loop. Every tick, while there is work:
/// 1. tell the placer which nodes may take replicas (in service and up);
/// 2. give up on changes whose outcome stayed unknown too long, reading the members afresh;
/// 3. start the steps wanted, most urgent first — replicas of gone nodes, of draining nodes,
///    moves, moves near a zone, rebalancing — at most one change in flight per cell and
///    `controlChangesInFlightMax` colony-wide, and never one that would leave the cell without
///    a majority of live members (such a step waits);
/// 4. report drained and gone nodes that no cell has as a member any more.
/// Like the faults, the control plane starts nothing once the workload is over: the changes
/// in flight finish, and the final reads find the colony settled.
/// A change is settled when a replica reports the configuration it makes, when the cell
/// refuses it, or when its outcome stays unknown for `unknownChangeSettle`.
extension Simulation {
    /// How often the control plane looks at the colony while it has work.
    var controlTickInterval: UInt64 { 20 * Nanoseconds.millisecond }
    /// How long a change whose request timed out may still turn up applied before the
    /// control plane stops waiting for it and reads the cell's members afresh.
    var unknownChangeSettle: UInt64 { 2 * Nanoseconds.second }

    /// Schedules the control plane's next tick unless one is scheduled.
    mutating func wakeControlPlane() {
        guard !control.isTicking else { return }
        control.isTicking = true
        schedule(.controlTick, after: controlTickInterval)
    }

    /// One tick of the control plane (see the steps above).
    mutating func controlTick() {
        syncPlacerStates()
        settleUnknownChanges()
        let isWorkloadRunning = now < options.duration
        if isWorkloadRunning {
            stepRemovalsAndDrains()
            stepPlannedMoves()
            stepNearMoves()
            stepRebalancing()
        }
        reportEmptiedNodes()
        if isWorkloadRunning ? control.hasWork : !control.inFlight.isEmpty {
            schedule(.controlTick, after: controlTickInterval)
        } else {
            control.isTicking = false
        }
    }

    /// Whether `node` is a live member of cell `cellIndex` as far as its own replica knows:
    /// up, not gone, and voting (it holds the cell's state and is not waiting for renewal).
    func isLive(_ node: NodeID, cellIndex: Int) -> Bool {
        let index = nodeIndex(node)
        guard nodes.indices.contains(index), !nodes[index].isGone, let host = nodes[index].host else { return false }
        return host.replica(cells[cellIndex])?.canVote ?? false
    }

    /// The nodes among `members` that are live for cell `cellIndex`.
    func liveNodes(_ members: [NodeID], cellIndex: Int) -> Set<NodeID> {
        Set(members.filter { isLive($0, cellIndex: cellIndex) })
    }

    /// The members of cell `cellIndex`, as its newest applied configuration has them.
    public func members(ofCell cellIndex: Int) -> [NodeID] {
        control.configurations[cellIndex].members
    }

    /// A replica applied or installed `configuration` of `cell`: the first report of a new
    /// epoch settles the change in flight, is judged by the majority checker, and brings the
    /// placer's count into line when the members are not the ones it expected.
    mutating func observeConfiguration(_ configuration: CellConfiguration, of cell: CellID) {
        guard let cellIndex = cellIndexByID[cell] else { return }
        let previous = control.configurations[cellIndex]
        guard configuration.epoch > previous.epoch else { return }
        control.configurations[cellIndex] = configuration
        guard configuration.members != previous.members else { return }
        let live = liveNodes(Array(Set(previous.members + configuration.members)).sorted(), cellIndex: cellIndex)
        majority.applied(previous: previous, next: configuration, cell: cell, live: live, time: now)
        if let pending = control.inFlight.removeValue(forKey: cellIndex) {
            if pending.members == configuration.members {
                countApplied(pending, cellIndex: cellIndex)
            } else {
                statistics.control.changesAbandoned += 1
            }
        }
        recount(cellIndex, asMembers: configuration.members)
        wakeControlPlane()
    }

    private mutating func countApplied(_ pending: ControlChange, cellIndex: Int) {
        switch pending.reason {
        case .drain: statistics.control.drainChanges += 1
        case .removal: statistics.control.removalChanges += 1
        case .rebalance: statistics.control.rebalanceChanges += 1
        case .nearMove: statistics.control.nearMoveChanges += 1
        case .moveBack: statistics.control.moveChanges += 1
        case .move:
            statistics.control.moveChanges += 1
            let back = now + Nanoseconds.second + random.next() % (2 * Nanoseconds.second)
            control.plannedMoves.append(PlannedMove(
                cellIndex: cellIndex, remove: pending.change.add, add: pending.change.remove, notBefore: back,
                dropAfter: back + 3 * Nanoseconds.second))
        }
    }

    /// Tells the placer which fleet nodes take new replicas: those in service and up.
    private mutating func syncPlacerStates() {
        for index in nodes.indices {
            let wanted: NodeState
            switch control.service[index] {
            case .spare: continue
            case .gone: wanted = .gone
            case .draining: wanted = .draining
            case .inService: wanted = nodes[index].isUp ? .active : .draining
            }
            let id = nodes[index].id
            guard let fleetIndex = control.placer.fleet.index(of: id), control.placer.fleet.nodes[fleetIndex].state != wanted else {
                continue
            }
            do {
                try control.placer.setState(wanted, of: id)
            } catch {
                preconditionFailure("Invalid state: the control plane moved \(id) illegally to \(wanted): \(error)")
            }
        }
    }

    private mutating func settleUnknownChanges() {
        for cellIndex in control.inFlight.keys.sorted() {
            guard let since = control.inFlight[cellIndex]?.unknownSince, now - since >= unknownChangeSettle else { continue }
            control.inFlight[cellIndex] = nil
            statistics.control.changesAbandoned += 1
            recount(cellIndex, asMembers: control.configurations[cellIndex].members)
        }
    }

    /// Moves the replicas of gone nodes, then of draining nodes, to nodes the placer chooses.
    private mutating func stepRemovalsAndDrains() {
        for wanted in [NodeService.gone, .draining] {
            for cellIndex in cells.indices {
                guard hasRoomForChange(cellIndex) else { continue }
                for member in control.placements[cellIndex].members where service(of: member) == wanted {
                    guard mayRemove(member, cellIndex: cellIndex), let next = placerReplacement(of: member, cellIndex: cellIndex) else { continue }
                    request(next, cellIndex: cellIndex, reason: wanted == .gone ? .removal : .drain)
                    break
                }
            }
        }
    }

    private mutating func reportEmptiedNodes() {
        for index in nodes.indices where !control.reportedEmpty.contains(index) {
            let service = control.service[index]
            guard service == .draining || service == .gone else { continue }
            let id = nodes[index].id
            guard !control.configurations.contains(where: { $0.contains(id) }) else { continue }
            control.reportedEmpty.insert(index)
            if service == .gone {
                statistics.control.removalsCompleted += 1
                faultLog.append(FaultLogEntry(time: now, description: "every replica of gone \(id) re-placed"))
            } else {
                statistics.control.drainsCompleted += 1
                faultLog.append(FaultLogEntry(time: now, description: "\(id) drained: no cell has it as a member"))
                if random.next() % 2 == 0 {
                    schedule(.returnToService(nodeIndex: index), after: 500 * Nanoseconds.millisecond + random.next() % (1_500 * Nanoseconds.millisecond))
                }
            }
        }
    }

    // MARK: - Steps

    /// Where node `id` stands with the control plane.
    func service(of id: NodeID) -> NodeService {
        let index = nodeIndex(id)
        return control.service.indices.contains(index) ? control.service[index] : .spare
    }

    /// Whether a change may start on cell `cellIndex` now: none in flight there, room
    /// colony-wide, no refusal of its leader to wait out, and the placer's count matching the
    /// cell's members.
    func hasRoomForChange(_ cellIndex: Int) -> Bool {
        control.inFlight.count < options.controlChangesInFlightMax && control.inFlight[cellIndex] == nil
            && control.retryAt[cellIndex].map { $0 <= now } ?? true
            && control.placements[cellIndex].members == control.configurations[cellIndex].members
    }

    /// Whether removing `member` leaves cell `cellIndex` with a majority of live members (a
    /// member it adds counts only once it has joined). A step that may not start waits, and
    /// is counted once as held back.
    mutating func mayRemove(_ member: NodeID, cellIndex: Int) -> Bool {
        if options.controlDefects.contains(.removesWithoutMajorityGuard) { return true }
        let configuration = control.configurations[cellIndex]
        let staying = configuration.members.filter { $0 != member && isLive($0, cellIndex: cellIndex) }
        let step = HeldStep(cellIndex: cellIndex, member: member)
        guard staying.count >= configuration.quorum else {
            if control.heldBack.insert(step).inserted { statistics.control.stepsHeldBack += 1 }
            return false
        }
        control.heldBack.remove(step)
        return true
    }

    /// The cell's placement with `member` replaced by the placer's choice, now counted by the
    /// placer; nil when no node can take it now.
    mutating func placerReplacement(of member: NodeID, cellIndex: Int) -> Placement? {
        guard let next = try? control.placer.replace(member, in: control.placements[cellIndex]) else { return nil }
        control.placements[cellIndex] = next
        return next
    }

    /// Makes the placer count cell `cellIndex` on `members` instead of what it counts now:
    /// to undo a choice not taken, to move a cell back by hand, or to follow the cell's real
    /// members when a change went otherwise than asked.
    mutating func recount(_ cellIndex: Int, asMembers members: [NodeID]) {
        let counted = control.placements[cellIndex]
        guard counted.members != members.sorted() else { return }
        let leader = members.contains(counted.preferredLeader) ? counted.preferredLeader : members.sorted()[0]
        let placement = Placement(request: counted.request, members: members, preferredLeader: leader)
        do {
            try control.placer.remove(counted)
            try control.placer.record(placement)
        } catch {
            preconditionFailure("Invalid state: the placer must count cell \(cells[cellIndex]) as the control plane does: \(error)")
        }
        control.placements[cellIndex] = placement
    }

    /// Asks cell `cellIndex` to take the members of `next` (one replaced) through its log.
    mutating func request(_ next: Placement, cellIndex: Int, reason: ControlReason) {
        let configuration = control.configurations[cellIndex]
        guard let removed = configuration.members.first(where: { !next.members.contains($0) }),
              let added = next.members.first(where: { !configuration.contains($0) })
        else {
            preconditionFailure("Invalid state: a control step must replace exactly one member of \(cells[cellIndex])")
        }
        let change = MembershipChange(remove: removed, add: added)
        control.inFlight[cellIndex] = ControlChange(change: change, reason: reason, members: next.members)
        let live = liveNodes(configuration.members, cellIndex: cellIndex)
        majority.requested(change, cell: cells[cellIndex], live: live)
        requestMembershipChange(change, cellIndex: cellIndex, expectedEpoch: configuration.epoch)
        faultLog.append(FaultLogEntry(time: now, description: "\(cells[cellIndex]): \(change) (\(reason))"))
    }
}
