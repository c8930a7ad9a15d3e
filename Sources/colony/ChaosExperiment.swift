import ColonyCheck
import ColonyClient
import ColonyCore
import Foundation

/// One chaos run against real node processes: starts a local colony in its own folder (free
/// loopback ports, TLS, as `colony dev up` makes it; or each node in a network namespace of
/// its own, `NamespacedColony`, for network faults; each node's data on a volume of its own,
/// `NodeVolumes`, for disk faults; a node started again under libfaketime, `FakeTime`, for
/// clock faults), creates the load's cells on every node,
/// runs the checked load of `colony load`, puts the seed's schedule of faults on the nodes
/// while a watch judges the stop conditions, heals, lets the load go on a little, reads every
/// key back, checks the history, and stops the colony.
///
/// The run's folder holds the nodes' data and logs; it is removed after a run that passed and
/// kept, with the history as `history.jsonl`, after one that did not (or when asked).
struct ChaosExperiment: Sendable {
    var seed: UInt64
    /// Where the run's colony lives.
    var directory: String
    var schedule = ChaosScheduleOptions()
    var conditions = ChaosStopConditions()
    var cells = 3
    var keysPerCell = 3
    var clients = 4
    /// How long the load goes on once every node serves again.
    var settle: Duration = .seconds(2)
    /// Whether to keep the folder even after a run that passed.
    var keepFolder = false
    /// Told the run's nodes while they run, to kill them if the command is interrupted.
    var interruption: RunInterruption?
    var logLevel = "warning"
    /// The tools that put each node in a network namespace of its own (`NamespacedColony`),
    /// for network faults; nil for a colony on loopback.
    var namespaces: NetworkTools?
    /// The share of peer packets a `loss` fault drops.
    var packetLoss = 0.2
    /// The library that skews a node's wall clock, for clock faults; nil when none is scheduled.
    var fakeTime: FakeTime?

    /// How often the watch surveys the leaders and judges the stop conditions.
    static let watchInterval: Duration = .milliseconds(250)
    /// The longest the load may take to complete its first operations before the faults begin.
    static let loadStartTimeout: Duration = .seconds(60)

    /// The names of the load's cells.
    var cellNames: [String] { (1...cells).map { "chaos-\($0)" } }

    /// Runs the experiment and checks what it recorded.
    func run() async throws -> ChaosOutcome {
        let started = ContinuousClock.now
        let stallLocks = schedule.kinds.contains(.stall)
        let nodes: LocalNodes
        var network: NamespaceNetwork?
        var volumes: NodeVolumes?
        defer {
            interruption?.running(nil)
            interruption?.running(on: nil)
            interruption?.running(with: nil)
        }
        if schedule.kinds.contains(where: ChaosFaultKind.diskKinds.contains) {
            volumes = try NodeVolumes.mount(nodes: (1...UInt32(schedule.nodes)).map { $0 }, under: directory)
            interruption?.running(with: volumes)
        }
        do {
            if let namespaces {
                let colony = try await NamespacedColony.start(
                    count: schedule.nodes, directory: directory, zones: schedule.zones, tools: namespaces, logLevel: logLevel,
                    diskStallLocks: stallLocks, announceNetwork: { interruption?.running(on: $0) }, announceNodes: { interruption?.running($0) })
                (nodes, network) = (colony.nodes, colony.network)
            } else {
                nodes = try await LocalNodes.start(
                    count: schedule.nodes, directory: directory, logLevel: logLevel, diskStallLocks: stallLocks,
                    announce: { interruption?.running($0) })
            }
        } catch {
            volumes?.unmountAll()
            throw error
        }
        var outcome: ChaosOutcome
        var history: [HistoryEvent] = []
        do {
            (outcome, history) = try await runAgainst(nodes, network: network, volumes: volumes)
        } catch {
            nodes.stopAll()
            network?.tearDown()
            volumes?.unmountAll()
            throw error
        }
        nodes.stopAll()
        if let leftovers = network?.tearDown(), !leftovers.isEmpty {
            outcome.findings.append("the run's network could not be removed whole: \(leftovers.joined(separator: ", ")) left")
        }
        if let mounted = volumes?.unmountAll(), !mounted.isEmpty {
            outcome.findings.append("the nodes' volumes could not be unmounted: \(mounted.joined(separator: ", "))")
        }
        outcome.duration = ContinuousClock.now - started
        if outcome.status != .success || keepFolder {
            try HistoryCoding.encode(history).write(toFile: directory + "/history.jsonl", atomically: true, encoding: .utf8)
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
        return outcome
    }

    private func runAgainst(_ nodes: LocalNodes, network: NamespaceNetwork?, volumes: NodeVolumes?) async throws -> (ChaosOutcome, [HistoryEvent]) {
        let members = nodes.configs.map(\.node)
        let creator = try ColonyClient(nodes: nodes.clientAddresses, tls: nodes.clientTLS)
        do {
            for cell in cellNames {
                _ = try await creator.createCell(cell, nodes: members)
            }
        } catch {
            await creator.close()
            throw error
        }
        await creator.close()
        var runner = LoadRunner(nodes: nodes.clientAddresses, tls: nodes.clientTLS, cells: cellNames)
        runner.clients = clients
        runner.keysPerCell = keysPerCell
        // The load ends when the run stops it, well before this.
        runner.duration = schedule.length + settle + .seconds(600)
        let log = HistoryLog()
        let load = Task { try await runner.run(history: log) }
        guard await log.waitForCompleted(clients, within: Self.loadStartTimeout) else {
            await log.stop()
            _ = try? await load.value
            throw ChaosError.loadDidNotStart(seconds: Int(Self.loadStartTimeout.components.seconds))
        }
        let injector = ChaosInjector(
            nodes: nodes, brokenMax: schedule.brokenMax, network: network, packetLoss: packetLoss, volumes: volumes, fakeTime: fakeTime)
        let (stop, leaderChanges) = await faultsUnderWatch(
            ChaosSchedule(seed: seed, options: schedule), injector: injector, nodes: nodes, log: log)
        let healed = await injector.healAll()
        if stop == nil, healed {
            try? await Task.sleep(for: settle)
        }
        await log.stop()
        let events = try await load.value
        var outcome = ChaosOutcome(seed: seed)
        outcome.kinds = (network == nil ? ChaosNetwork.loopback : .namespaces).kinds + (volumes == nil ? [] : ChaosFaultKind.diskKinds)
            + (fakeTime == nil ? [] : ChaosFaultKind.clockKinds)
        outcome.faults = await injector.applied
        outcome.faultsSkipped = await injector.skipped
        outcome.stop = stop
        outcome.leaderChanges = leaderChanges
        outcome.healed = healed
        outcome.mismatches = await log.conditionFailures
        Self.judge(events, into: &outcome)
        outcome.findings += await injector.notes
        return (outcome, events)
    }

    /// Runs the faults while watching the stop conditions: the condition that fired, if one
    /// did and stopped the faults, and how many new leaders the watch saw.
    private func faultsUnderWatch(
        _ faults: ChaosSchedule, injector: ChaosInjector, nodes: LocalNodes, log: HistoryLog
    ) async -> (ChaosStop?, leaderChanges: Int) {
        let adminAddresses = Dictionary(uniqueKeysWithValues: nodes.configs.compactMap { config in
            config.own.adminAddress.map { (config.node, $0) }
        })
        let watch = ChaosWatch(conditions: conditions, cells: cellNames, start: await log.now)
        return await withTaskGroup(of: WatchedFaults.self) { group in
            group.addTask {
                await injector.run(faults)
                return .faultsDone
            }
            group.addTask {
                let (stop, watched) = await Self.watchUntilStop(watch, injector: injector, adminAddresses: adminAddresses, log: log)
                return .watched(stop, leaderChanges: watched.leaderChanges)
            }
            // Whichever ends first (the faults, or a stop condition) ends the other.
            var result: (ChaosStop?, leaderChanges: Int) = (nil, 0)
            var first = true
            for await finished in group {
                if first { group.cancelAll() }
                first = false
                if case .watched(let stop, let leaderChanges) = finished { result = (stop, leaderChanges) }
            }
            return result
        }
    }

    /// How one side of a run's faults under watch ended.
    private enum WatchedFaults {
        case faultsDone
        case watched(ChaosStop?, leaderChanges: Int)
    }

    /// Surveys the leaders of the serving nodes and judges the stop conditions every
    /// `watchInterval`, until one fires or the task is cancelled; the condition that fired, if
    /// one did, and the watch as it ended.
    private static func watchUntilStop(
        _ initial: ChaosWatch, injector: ChaosInjector, adminAddresses: [UInt32: String], log: HistoryLog
    ) async -> (ChaosStop?, ChaosWatch) {
        var watch = initial
        var seen = 0
        while !Task.isCancelled {
            let serving = await injector.serving
            let led = await LeaderSurvey.read(adminAddresses.filter { serving.contains($0.key) })
            let now = await log.now
            watch.observeLeaders(led, at: now)
            await injector.noteLeaders(led.mapValues(\.count))
            let events = await log.events(from: seen)
            seen += events.count
            watch.observe(events)
            if let stop = watch.evaluate(now: now) { return (stop, watch) }
            try? await Task.sleep(for: watchInterval)
        }
        return (nil, watch)
    }

    /// Checks the history for linearizability and lost writes, and counts its operations.
    static func judge(_ history: [HistoryEvent], into outcome: inout ChaosOutcome) {
        let report = LinearizabilityChecker().check(history)
        outcome.operations = report.operationCount
        outcome.failed = report.failedOperationCount
        outcome.unknown = report.indeterminateOperationCount
        outcome.latencyP999 = OperationTimes.p999(of: history)
        outcome.succeeded = report.operationCount - report.failedOperationCount - report.indeterminateOperationCount
        outcome.violations = report.violations.count
        outcome.undecided = report.unknownPartitions.count
        outcome.invalidHistory = report.invalidHistory.map { "\($0)" }
        let durability = LostWriteCheck.check(history)
        outcome.keysChecked = durability.keysChecked
        outcome.keysUnread = durability.keysUnread.count
        outcome.lostWrites = durability.lost.count
        outcome.findings = report.violations.map(\.description) + report.unknownPartitions.map(\.description)
            + durability.lost.map(\.description) + durability.keysUnread.map { "key \($0) could not be read back" }
    }
}

/// Why a chaos run could not be made.
enum ChaosError: Error, CustomStringConvertible {
    /// The load completed too few operations before the faults were to begin.
    case loadDidNotStart(seconds: Int)

    var description: String {
        switch self {
        case .loadDidNotStart(let seconds):
            "the load completed too few operations in \(seconds) s against the fresh colony, so no fault was put on it"
        }
    }
}
