import Foundation

/// Puts a schedule's faults on the node processes of a local colony, and heals them: a killed
/// node is started again on its data, a paused one continued, a stalled one's disk stall lock
/// released (the nodes run with disk stall locks when stalls are scheduled). It never breaks more than
/// `brokenMax` nodes at once: a fault whose turn comes while that many are still broken (a
/// restart took longer than the schedule allowed for) waits until one serves again, and is
/// skipped and counted if its hold is nearly over by then.
actor ChaosInjector {
    private let nodes: LocalNodes
    private let brokenMax: Int
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

    /// The shortest hold worth a fault that had to wait for a node to serve again.
    static let holdMin: Duration = .milliseconds(500)
    /// How often a waiting fault looks again whether a node serves again.
    private static let brokenPoll: Duration = .milliseconds(50)

    init(nodes: LocalNodes, brokenMax: Int) {
        self.nodes = nodes
        self.brokenMax = brokenMax
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
                          let node = await self.apply(fault, until: begin + fault.end - Self.holdMin)
                    else { return }
                    guard (try? await Task.sleep(until: begin + fault.end, clock: .continuous)) != nil else { return }
                    await self.heal(node)
                }
            }
        }
    }

    /// Heals every broken node and waits, at most `timeout` each, until every node serves;
    /// false if one does not.
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
            }
        }
        var healed = true
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

    /// Breaks the node `fault` falls on, once fewer than `brokenMax` are broken if that is
    /// before `latest`; nil if none was broken.
    private func apply(_ fault: ChaosFault, until latest: ContinuousClock.Instant) async -> UInt32? {
        while broken.count >= brokenMax {
            guard ContinuousClock.now < latest else {
                skipped += 1
                return nil
            }
            guard (try? await Task.sleep(for: Self.brokenPoll)) != nil else { return nil }
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
        }
        applied[fault.kind, default: 0] += 1
        return node
    }

    /// Heals `node` after its hold: continues it, releases its disk, or starts it again and
    /// waits until it serves.
    private func heal(_ node: UInt32) async {
        switch broken[node] {
        case .pause:
            continueProcess(node)
            broken[node] = nil
        case .stall:
            releaseStall(node)
            broken[node] = nil
        case .kill:
            do {
                try nodes.launch(node)
                try await nodes.waitUntilServing(node)
                broken[node] = nil
            } catch {
                // Cancelled or not serving yet: `healAll` waits for it again.
            }
        case nil:
            break
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
