import Foundation

/// Puts a schedule's faults on the node processes of a local colony, and heals them: a killed
/// node is started again on its data, a paused one continued, a stalled one's disk stall lock
/// released (the nodes run with disk stall locks when stalls are scheduled), a partitioned or
/// lossy one's iptables rules deleted (on a colony in network namespaces), a full one's ballast
/// deleted and the node started again if it stopped (on nodes with volumes of their own), a
/// skewed one started again on the true time. It never breaks more than `brokenMax` nodes at
/// once: a fault whose turn comes while too many are still broken (a restart took longer than
/// the schedule allowed for) waits until enough serve again, and is skipped and counted if its
/// hold is nearly over by then.
actor ChaosInjector {
    private let nodes: LocalNodes
    private let brokenMax: Int
    /// The network the nodes run on, for network faults; nil on loopback.
    private let network: NamespaceNetwork?
    /// The share of peer packets a `loss` fault drops, 0 to 1.
    private let packetLoss: Double
    /// The nodes' data volumes, for disk faults; nil when the nodes have none.
    private let volumes: NodeVolumes?
    /// The library that skews a node's clock, for clock faults; nil when none is scheduled.
    private let fakeTime: FakeTime?
    /// The nodes running with their clocks skewed, by node.
    private var skewed: [UInt32: SkewedNode] = [:]
    /// The iptables rules in place, by the nodes of the fault that put them there.
    private var rules: [[UInt32]: [NamespacedRule]] = [:]
    /// The nodes broken now, each with what broke it; a killed node stays here until it
    /// serves again.
    private var broken: [UInt32: ChaosFaultKind] = [:]
    /// The disk stall locks held, by node: each an open descriptor locked exclusively.
    private var stallLocks: [UInt32: Int32] = [:]
    /// How many cells of the load each node led at the last survey.
    private var leading: [UInt32: Int] = [:]
    /// The faults put on nodes, by kind.
    private(set) var applied: [ChaosFaultKind: Int] = [:]
    /// The faults skipped for breaking too many nodes at once.
    private(set) var skipped = 0
    /// What the faults did to a node beyond what they are meant to, one line each: a skewed
    /// node that stopped before its heal.
    private(set) var notes: [String] = []

    /// The shortest hold worth a fault that had to wait for a node to serve again.
    static let holdMin: Duration = .milliseconds(500)
    /// How often a waiting fault looks again whether a node serves again.
    private static let brokenPoll: Duration = .milliseconds(50)

    /// An injector for `nodes`, breaking at most `brokenMax` at once; network faults go on
    /// `network` (which must be given when the schedule has them), a loss dropping
    /// `packetLoss` of the packets; disk faults on `volumes` (which must be given when the
    /// schedule has them); clock faults through `fakeTime` (likewise).
    init(
        nodes: LocalNodes, brokenMax: Int, network: NamespaceNetwork? = nil, packetLoss: Double = 0.2, volumes: NodeVolumes? = nil,
        fakeTime: FakeTime? = nil
    ) {
        self.nodes = nodes
        self.brokenMax = brokenMax
        self.network = network
        self.packetLoss = packetLoss
        self.volumes = volumes
        self.fakeTime = fakeTime
    }

    /// The nodes not broken now.
    var serving: [UInt32] {
        nodes.configs.map(\.node).filter { broken[$0] == nil }
    }

    /// Takes the latest survey of the leaders: how many of the load's cells each node leads.
    func noteLeaders(_ cellsLed: [UInt32: Int]) {
        leading = cellsLed
    }

    /// Runs `schedule` from now: each fault at its start, healed after its hold. When
    /// cancelled, it returns at once and leaves what is broken to `healAll`.
    func run(_ schedule: ChaosSchedule) async {
        let begin = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for fault in schedule.faults {
                group.addTask {
                    guard (try? await Task.sleep(until: begin + fault.start, clock: .continuous)) != nil,
                          let broken = await self.apply(fault, until: begin + fault.end - Self.holdMin)
                    else { return }
                    guard (try? await Task.sleep(until: begin + fault.end, clock: .continuous)) != nil else { return }
                    await self.heal(broken)
                }
            }
        }
    }

    /// Heals every broken node (on a namespaced colony, empties every namespace's iptables
    /// chains) and waits, at most `timeout` each, until every node serves; false if one does
    /// not, or the rules could not be emptied.
    func healAll(timeout: Duration = .seconds(60)) async -> Bool {
        for (node, kind) in broken.sorted(by: { $0.key < $1.key }) {
            switch kind {
            case .pause:
                continueProcess(node)
            case .stall:
                releaseStall(node)
            case .kill:
                if nodes.processes[node]?.isRunning != true {
                    try? nodes.launch(node)
                }
            case .diskFull, .clockSkew:
                await undoForRestart(node, kind: kind)
                try? nodes.launch(node)
            case .partition, .zonePartition, .loss:
                break
            }
        }
        var healed = clearNetwork()
        for node in nodes.configs.map(\.node) {
            do {
                try await nodes.waitUntilServing(node, timeout: timeout)
                broken[node] = nil
            } catch {
                healed = false
            }
        }
        return healed
    }

    /// Breaks the nodes `fault` falls on, once few enough are broken if that is before
    /// `latest`; the nodes broken, nil if none was.
    private func apply(_ fault: ChaosFault, until latest: ContinuousClock.Instant) async -> [UInt32]? {
        while !fits(fault) {
            guard ContinuousClock.now < latest else {
                skipped += 1
                return nil
            }
            guard (try? await Task.sleep(for: Self.brokenPoll)) != nil else { return nil }
        }
        if fault.kind == .zonePartition {
            return cut(fault.nodes, kind: .zonePartition)
        }
        guard let node = fault.target(serving: serving, leading: leading), let pid = nodes.processes[node]?.processIdentifier else {
            skipped += 1
            return nil
        }
        switch fault.kind {
        case .kill:
            broken[node] = .kill
            await nodes.signal(node, SIGKILL)
        case .pause:
            broken[node] = .pause
            kill(pid, SIGSTOP)
        case .stall:
            // The node opened (or made) its lock file at start.
            let lock = open(nodes.diskStallLock(of: node), O_RDWR | O_CLOEXEC)
            guard lock >= 0 else {
                skipped += 1
                return nil
            }
            broken[node] = .stall
            stallLocks[node] = lock
            // The node takes the lock only for a moment at each fsync, so this waits no longer.
            flock(lock, LOCK_EX)
        case .diskFull:
            guard let volumes, volumes.fill(node) else {
                skipped += 1
                return nil
            }
            broken[node] = .diskFull
        case .clockSkew:
            guard let fakeTime else {
                preconditionFailure("Invalid state: a clock skew scheduled without libfaketime")
            }
            broken[node] = .clockSkew
            await skew(node, by: fault.clockOffsetSeconds, through: fakeTime)
        case .partition, .loss, .zonePartition:
            return cut([node], kind: fault.kind)
        }
        applied[fault.kind, default: 0] += 1
        return [node]
    }

    /// Whether `fault` can break its nodes now without breaking more than `brokenMax`: for a
    /// zone partition, none of its zone broken already.
    private func fits(_ fault: ChaosFault) -> Bool {
        guard fault.kind == .zonePartition else { return broken.count < brokenMax }
        return broken.count + fault.nodes.count <= brokenMax && fault.nodes.allSatisfy { broken[$0] == nil }
    }

    /// Puts the iptables rules of a network fault of `kind` on `cut`: a partition of `cut`
    /// from the other nodes, or a loss on its one node; the nodes broken, nil (and the fault
    /// skipped) if the rules could not be put in place.
    private func cut(_ cut: [UInt32], kind: ChaosFaultKind) -> [UInt32]? {
        guard let network else {
            preconditionFailure("Invalid state: a network fault scheduled for a colony on loopback")
        }
        let members = cut.map { Int($0) }
        let all = nodes.configs.map { Int($0.node) }
        let faultRules = kind == .loss
            ? NetworkFaultRules.loss(members[0], probability: packetLoss, among: all, plan: network.plan)
            : NetworkFaultRules.partition(members, among: all, plan: network.plan)
        do {
            try network.apply(faultRules)
        } catch {
            // Some may be in place: healAll flushes every namespace's rules.
            printError("chaos: \(error)")
            skipped += 1
            return nil
        }
        for node in cut { broken[node] = kind }
        rules[cut] = faultRules
        applied[kind, default: 0] += 1
        return cut
    }

    /// Deletes every iptables rule of the network's namespaces; false if that failed.
    private func clearNetwork() -> Bool {
        guard let network else { return true }
        rules = [:]
        do {
            try network.apply(network.plan.memberNumbers.flatMap(NetworkFaultRules.flush))
            for (node, kind) in broken where ChaosFaultKind.networkKinds.contains(kind) { broken[node] = nil }
            return true
        } catch {
            printError("chaos: \(error)")
            return false
        }
    }

    /// Heals `brokenNodes` after their hold: continues the node, releases its disk, starts it
    /// again and waits until it serves, or deletes the rules that cut them off.
    private func heal(_ brokenNodes: [UInt32]) async {
        guard let node = brokenNodes.first else { return }
        switch broken[node] {
        case .pause:
            continueProcess(node)
            broken[node] = nil
        case .stall:
            releaseStall(node)
            broken[node] = nil
        case .kill:
            await restart(node)
        case .diskFull:
            // The node stops at its first write it cannot make durable, a few seconds after
            // (it shuts down in order): whether it did, or is stopping, or made none, it is
            // started again on its data once the space is back, as an operator would.
            await undoForRestart(node, kind: .diskFull)
            await restart(node)
        case .clockSkew:
            await undoForRestart(node, kind: .clockSkew)
            await restart(node)
        case .partition, .zonePartition, .loss:
            guard let network, let faultRules = rules.removeValue(forKey: brokenNodes) else { return }
            do {
                try network.apply(NetworkFaultRules.removing(faultRules))
                for node in brokenNodes { broken[node] = nil }
            } catch {
                // The nodes stay broken: healAll flushes every namespace's rules.
                printError("chaos: \(error)")
            }
        case nil:
            break
        }
    }

    /// Kills `node`'s process and starts it again on its data with its wall clock
    /// `offsetSeconds` off, without waiting for it to serve: it counts as broken until its heal.
    private func skew(_ node: UInt32, by offsetSeconds: Int64, through fakeTime: FakeTime) async {
        let own = nodes.wrappers[node, default: []]
        skewed[node] = SkewedNode(unskewedWrapper: own, offsetSeconds: offsetSeconds)
        nodes.wrappers[node] = own + fakeTime.wrapper(offsetSeconds: offsetSeconds)
        await nodes.signal(node, SIGKILL)
        do {
            try nodes.launch(node)
        } catch {
            // Not running: its heal starts it again, on the true time.
            printError("chaos: node \(node) could not be started with its clock skewed: \(error)")
        }
    }

    /// Takes away what a fault healed by a restart left on `node` (a full disk's ballast, a
    /// skewed clock's wrapper), then kills what is left of its process, which may have stopped
    /// already; starting it again is the caller's step.
    private func undoForRestart(_ node: UInt32, kind: ChaosFaultKind) async {
        let pid = nodes.processes[node]?.processIdentifier
        switch kind {
        case .diskFull:
            volumes?.free(node)
            await nodes.signal(node, SIGKILL)
        case .clockSkew:
            if let skew = skewed.removeValue(forKey: node) {
                nodes.wrappers[node] = skew.unskewedWrapper.isEmpty ? nil : skew.unskewedWrapper
                if nodes.processes[node]?.isRunning == false {
                    notes.append(
                        "node \(node), its clock \(FakeTime.offsetText(skew.offsetSeconds)) s off, stopped before its heal; its log says why")
                }
            }
            await nodes.signal(node, SIGKILL)
            if let pid { FakeTime.removeSharedClock(of: pid) }
        case .kill, .pause, .stall, .partition, .zonePartition, .loss:
            preconditionFailure("Invalid state: \(kind) is not healed by a restart")
        }
    }

    /// Starts `node` again on its data and waits until it serves.
    private func restart(_ node: UInt32) async {
        do {
            try nodes.launch(node)
            try await nodes.waitUntilServing(node)
            broken[node] = nil
        } catch {
            // Cancelled or not serving yet: `healAll` waits for it again.
        }
    }

    private func releaseStall(_ node: UInt32) {
        if let lock = stallLocks.removeValue(forKey: node) {
            flock(lock, LOCK_UN)
            close(lock)
        }
    }

    private func continueProcess(_ node: UInt32) {
        if let pid = nodes.processes[node]?.processIdentifier {
            kill(pid, SIGCONT)
        }
    }
}

/// A node the injector started with its clock skewed: what it ran under before, and by how much.
private struct SkewedNode {
    /// The command the node ran under before its skew, to run under again at its heal.
    var unskewedWrapper: [String]
    /// How far its wall clock is set off, in seconds.
    var offsetSeconds: Int64
}
