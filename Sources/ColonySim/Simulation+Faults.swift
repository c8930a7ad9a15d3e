import ColonyCore

/// A fault in force.
struct ActiveFault {
    var id: Int
    var kind: FaultKind
    /// Links this fault blocked (and, for a clog, still to block, in order).
    var links: [DirectedLink] = []
    /// For a clog: how many of `links` are blocked so far; while healing, how many remain.
    var clogged = 0
    var isHealing = false
    /// For a crash or a pause: the node it struck.
    var struckNode: Int?
    /// What the fault does, in words.
    var description = ""
}

extension Simulation {
    /// The faults in force now, in words.
    public var faultsInForce: [String] {
        activeFaults.map(\.description)
    }

    /// The most nodes down at once: at most 2, and fewer than half the smallest cell, so the
    /// faults never take a cell's majority for good.
    var downNodesMax: Int { min(2, nodesOutMax) }
    /// The most nodes down or holding replicas that wait to be renewed (damaged by the
    /// `corrupt` fault, which do not vote), together: fewer than half the smallest cell.
    var nodesOutMax: Int { (options.replicasMin - 1) / 2 }

    /// Nodes down now: crashed, stopped, or lost for good with replicas not yet all
    /// re-placed (a lost node stops counting once no cell has it as a member).
    var downNodeCount: Int {
        nodes.indices.reduce(0) { count, index in
            let isDown = !nodes[index].isUp && (!nodes[index].isGone || !control.emptied.contains(index))
            return count + (isDown ? 1 : 0)
        }
    }

    /// Nodes down, or up with replicas that wait to be renewed.
    var outNodeCount: Int {
        downNodeCount + nodes.reduce(0) { count, node in count + ((node.host?.census.damaged ?? 0) > 0 ? 1 : 0) }
    }

    /// Whether one more node may go down (or be damaged) now.
    var mayTakeANode: Bool { downNodeCount < downNodesMax && outNodeCount < nodesOutMax }

    /// Whether node `index` may be lost for good, or its stored state damaged, now (beside
    /// `mayTakeANode`): whether every cell it is a member of keeps a majority that votes
    /// without it, even once the control plane's change on its way is applied. Such a change
    /// takes out a member that votes and adds one that votes only once renewed; a replica
    /// that lost its state votes only once renewed too, and renewal needs that majority. A
    /// change is on its way once requested, until the cell's next configuration; and from
    /// the loop's listing of replicas to the end of its pass, a change decided while this
    /// node was ready may still be sent, so no node is taken then.
    func mayTakeForGood(_ index: Int) -> Bool {
        switch control.awaiting {
        case nil, .readDirectory?: break
        default: return false
        }
        let id = nodes[index].id
        for (cell, configuration) in control.configurations where configuration.contains(id) {
            let voting = configuration.members.count { $0 != id && isLive($0, of: cell) }
            let changing = control.changesAwaited.contains(cell) ? 1 : 0
            if voting - changing < configuration.quorum { return false }
        }
        return true
    }

    private var clogStepDelay: UInt64 { 30 * Nanoseconds.millisecond }

    mutating func faultInterval() -> UInt64 {
        let rates = options.faultRates
        return rates.intervalMin + random.next() % (rates.intervalMax - rates.intervalMin + 1)
    }

    /// A share of messages for a network fault: 5% up to `max`.
    private mutating func messagePercent(max: UInt64) -> UInt64 {
        5 + random.next() % (max - 4)
    }

    /// Starts one random fault from the enabled kinds, and schedules the next.
    mutating func injectFault() {
        guard now < options.duration else { return }
        schedule(.nextFault, after: faultInterval())
        guard activeFaults.count < options.faultRates.activeMax else { return }
        let kinds = options.faults.sorted()
        let kind = kinds[Int(random.next() % UInt64(kinds.count))]
        var duration = 100 * Nanoseconds.millisecond + random.next() % (options.faultRates.durationMax - 100 * Nanoseconds.millisecond + 1)
        var fault = ActiveFault(id: nextFaultID, kind: kind)
        let description: String
        switch kind {
        case .partition:
            let groups = partitionGroups(&duration)
            for (index, group) in groups.enumerated() {
                for other in groups[(index + 1)...] {
                    for inside in group {
                        for outside in other {
                            fault.links.append(DirectedLink(from: nodes[inside].id, to: nodes[outside].id))
                            fault.links.append(DirectedLink(from: nodes[outside].id, to: nodes[inside].id))
                        }
                    }
                }
            }
            fault.links.forEach { network.block($0) }
            description = "partition: " + groups.map { $0.map { nodes[$0].id.description }.joined(separator: ",") }
                .joined(separator: " | ")
        case .oneWay:
            fault.links = randomLinks(count: 1 + Int(random.next() % 3))
            fault.links.forEach { network.block($0) }
            description = "one-way cuts: " + fault.links.map { "\($0.from)->\($0.to)" }.joined(separator: " ")
        case .clog:
            fault.links = randomLinks(count: 2 + Int(random.next() % 5))
            schedule(.clogStep(faultID: fault.id), after: 0)
            description = "clogging \(fault.links.count) links one by one"
        case .crash, .corrupt:
            let up = nodes.indices.filter { nodes[$0].isUp && (kind == .crash || mayTakeForGood($0)) }
            guard mayTakeANode, let victim = up.randomElement(using: &random) else { return }
            if kind == .corrupt {
                guard let damage = flipStoredBit(victim) else { return }
                description = "corrupt \(nodes[victim].id): \(damage), then crash"
            } else {
                description = "crash \(nodes[victim].id)"
            }
            nodes[victim].crash(at: now, using: &random)
            statistics.crashes += 1
            fault.struckNode = victim
        case .stop:
            // Half the time the busiest leader stops: its successors stand while it still has
            // proposals in flight, the window where a careless acceptor would do harm.
            let up = nodes.indices.filter { nodes[$0].isUp && nodes[$0].pausedUntil == nil }
            let busiest = busiestLeader()
            let preferred = up.contains(busiest) && random.next() % 2 == 0 ? busiest : up.randomElement(using: &random)
            guard mayTakeANode, let victim = preferred, nodes[victim].isUp else { return }
            nodes[victim].core?.handOffLeadership()
            carryOutEffects(at: victim)
            // It goes down before the fault heals (at least 100 ms later) restarts it.
            schedule(.stopNode(nodeIndex: victim, incarnation: nodes[victim].incarnation), after: handOffGrace())
            statistics.stops += 1
            fault.struckNode = victim
            description = "stop \(nodes[victim].id): hand off its leaderships, then go down"
        case .pause:
            let running = nodes.indices.filter { nodes[$0].isUp && nodes[$0].pausedUntil == nil }
            let busiest = busiestLeader()
            let preferred = running.contains(busiest) && random.next() % 2 == 0 ? busiest : running.randomElement(using: &random)
            guard let victim = preferred else { return }
            pause(victim, until: now + duration)
            fault.struckNode = victim
            description = "pause \(nodes[victim].id) for \(duration / Nanoseconds.millisecond) ms"
        case .loss:
            guard network.lossPercent == 0 else { return }
            network.lossPercent = messagePercent(max: options.faultRates.lossPercentMax)
            description = "dropping \(network.lossPercent)% of messages"
        case .duplicate:
            guard network.duplicatePercent == 0 else { return }
            network.duplicatePercent = messagePercent(max: options.faultRates.duplicatePercentMax)
            description = "duplicating \(network.duplicatePercent)% of messages"
        case .reorder:
            guard network.reorderPercent == 0 else { return }
            network.reorderPercent = messagePercent(max: options.faultRates.reorderPercentMax)
            description = "delaying \(network.reorderPercent)% of messages out of order"
        case .move, .drain, .remove, .add, .moveNear:
            // Control actions, not faults in force: the control plane carries them out.
            guard let action = startControlAction(kind) else { return }
            statistics.faultsInjected += 1
            return logFault(action)
        }
        nextFaultID += 1
        statistics.faultsInjected += 1
        fault.description = description
        activeFaults.append(fault)
        logFault(description)
        schedule(.heal(faultID: fault.id), after: max(duration, UInt64(fault.links.count + 2) * clogStepDelay))
    }

    /// Ends a fault: restores links (a clog one by one, in random order), restarts a node,
    /// or returns the network's rates to normal.
    mutating func heal(_ faultID: Int) {
        guard let index = activeFaults.firstIndex(where: { $0.id == faultID }) else { return }
        let fault = activeFaults[index]
        switch fault.kind {
        case .partition, .oneWay:
            fault.links.forEach { network.unblock($0) }
        case .clog:
            activeFaults[index].isHealing = true
            activeFaults[index].links = Array(fault.links.prefix(fault.clogged)).shuffled(using: &random)
            schedule(.clogStep(faultID: faultID), after: clogStepDelay)
            return
        case .crash, .corrupt, .stop:
            if let victim = fault.struckNode { restart(victim) }
        case .pause:
            if let victim = fault.struckNode { resume(victim) }
        case .loss:
            network.lossPercent = 0
        case .duplicate:
            network.duplicatePercent = 0
        case .reorder:
            network.reorderPercent = 0
        case .move, .drain, .remove, .add, .moveNear:
            break
        }
        activeFaults.remove(at: index)
        logFault("healed: \(fault.kind.rawValue)")
    }

    /// One step of a clog: block its next link, or while healing, restore one.
    mutating func clogStep(_ faultID: Int) {
        guard let index = activeFaults.firstIndex(where: { $0.id == faultID }) else { return }
        let fault = activeFaults[index]
        if fault.isHealing {
            guard let link = fault.links.first else {
                activeFaults.remove(at: index)
                logFault("healed: clog")
                return
            }
            network.unblock(link)
            activeFaults[index].links.removeFirst()
            schedule(.clogStep(faultID: faultID), after: clogStepDelay)
        } else if fault.clogged < fault.links.count {
            network.block(fault.links[fault.clogged])
            activeFaults[index].clogged += 1
            schedule(.clogStep(faultID: faultID), after: clogStepDelay)
        }
    }

    /// Heals every fault at once and restarts every node that is down: the workload is over.
    mutating func healAllFaults() {
        for fault in activeFaults {
            switch fault.kind {
            case .partition, .oneWay:
                fault.links.forEach { network.unblock($0) }
            case .clog:
                let blocked = fault.isHealing ? fault.links : Array(fault.links.prefix(fault.clogged))
                blocked.forEach { network.unblock($0) }
            case .pause, .crash, .corrupt, .stop, .loss, .duplicate, .reorder, .move, .drain, .remove, .add, .moveNear:
                break
            }
        }
        activeFaults.removeAll()
        // Pauses end too: the `pause` fault's and a partition's frozen leader's.
        for index in nodes.indices where nodes[index].pausedUntil != nil {
            resume(index)
        }
        network.lossPercent = 0
        network.duplicatePercent = 0
        network.reorderPercent = 0
        for index in nodes.indices where !nodes[index].isUp && !nodes[index].isGone {
            restart(index)
        }
        logFault("all faults healed")
    }

    /// How long a stopping node keeps running after handing off: 10 to 90 ms.
    private mutating func handOffGrace() -> UInt64 {
        10 * Nanoseconds.millisecond + random.next() % (80 * Nanoseconds.millisecond)
    }

    /// The end of a polite stop: the node goes down (what it had not made durable is lost, as
    /// in any crash), unless it already went down and came back meanwhile.
    mutating func stopNode(_ index: Int, incarnation: UInt64) {
        guard nodes[index].isUp, nodes[index].incarnation == incarnation else { return }
        nodes[index].crash(at: now, using: &random)
        logFault("\(nodes[index].id) went down after handing off")
    }

    /// Freezes node `index` until `until`, as a stalled process: what reaches it meanwhile
    /// is held back until it resumes.
    mutating func pause(_ index: Int, until: UInt64) {
        nodes[index].pausedUntil = until
        schedule(.resume(nodeIndex: index), after: until - now)
    }

    /// Ends node `index`'s pause, if any, and takes what was held back, in no particular
    /// order, as from many connections at once. A pause a heal ends early ends then, not
    /// when it would have run out.
    mutating func resume(_ index: Int) {
        nodes[index].pausedUntil = nil
        guard !nodes[index].heldBack.isEmpty else { return }
        for event in nodes[index].heldBack {
            schedule(event, after: random.next() % Nanoseconds.millisecond)
        }
        nodes[index].heldBack = []
    }

    mutating func restart(_ index: Int) {
        guard !nodes[index].isUp, !nodes[index].isGone else { return }
        boot(index)
        logFault("restart \(nodes[index].id)")
    }

    private mutating func logFault(_ description: String) {
        faultLog.append(FaultLogEntry(time: now, description: description))
    }

    /// The sides of a partition. Half the time the node leading the most cells is cut off
    /// alone, frozen first (a stalled VM that wakes up alone): it wakes still believing it
    /// leads while the others have moved on, which is where consensus bugs show. Otherwise
    /// the nodes fall into two to four random groups.
    private mutating func partitionGroups(_ duration: inout UInt64) -> [[Int]] {
        if random.next() % 2 == 0 {
            let leader = busiestLeader()
            if nodes[leader].isUp, nodes[leader].pausedUntil == nil {
                // Frozen past an election, then awake but alone for longer than a leader's
                // timeout, so it acts on its stale belief for a while.
                let frozen = 500 * Nanoseconds.millisecond + random.next() % (700 * Nanoseconds.millisecond)
                pause(leader, until: now + frozen)
                duration = frozen + 400 * Nanoseconds.millisecond + random.next() % (600 * Nanoseconds.millisecond)
            }
            return [[leader], nodes.indices.filter { $0 != leader }]
        }
        let groupCount = 2 + Int(random.next() % 3)
        var groups = Array(repeating: [Int](), count: groupCount)
        for (position, node) in nodes.indices.shuffled(using: &random).enumerated() {
            // The first nodes seed every group, so no group is empty.
            let group = position < groupCount ? position : Int(random.next() % UInt64(groupCount))
            groups[group].append(node)
        }
        return groups
    }

    /// Flips one bit of a file of node `index`, as a failing medium does, in one of three
    /// places drawn alike: a snapshot file or an older log segment; the newest segment's last
    /// synced flush (records that may have been acknowledged, which recovery must not take
    /// for a torn write); or anywhere in the newest segment, including what is written but
    /// not yet synced (which the crash that follows may keep, as garbage in a torn write).
    private mutating func flipStoredBit(_ index: Int) -> String? {
        let disk = nodes[index].disk
        let names = disk.sortedFileNames
        let segments = names.filter { $0.hasPrefix("wal-") }
        let older = names.filter { $0.hasPrefix("snap-") && !$0.hasSuffix(".tmp") } + segments.dropLast()
        let place: (name: String, range: Range<Int>)
        switch random.next() % 3 {
        case 0:
            guard !older.isEmpty else { return nil }
            let name = older[Int(random.next() % UInt64(older.count))]
            place = (name, 0..<disk.durableSize(of: name))
        case 1:
            guard let newest = segments.last else { return nil }
            // The last flush's records and its commit marker lie within its last bytes.
            let durable = disk.durableSize(of: newest)
            place = (newest, max(0, durable - 512)..<durable)
        default:
            guard let newest = segments.last, let size = try? disk.size(of: newest) else { return nil }
            place = (newest, 0..<size)
        }
        guard !place.range.isEmpty else { return nil }
        let offset = place.range.lowerBound + Int(random.next() % UInt64(place.range.count))
        disk.flipBit(in: place.name, at: offset, bit: Int(random.next() % 8))
        statistics.corruptions += 1
        return "bit flipped in \(place.name) at byte \(offset)"
    }

    /// The index of the node that leads the most cells now (the first of equals).
    private func busiestLeader() -> Int {
        let counts = leadersPerNode
        return counts.indices.max { counts[$0] < counts[$1] } ?? 0
    }

    private mutating func randomNodes(count: Int) -> [Int] {
        Array(nodes.indices.shuffled(using: &random).prefix(count))
    }

    private mutating func randomLinks(count: Int) -> [DirectedLink] {
        (0..<count).map { _ in
            let pair = randomNodes(count: 2)
            return DirectedLink(from: nodes[pair[0]].id, to: nodes[pair[1]].id)
        }
    }
}
