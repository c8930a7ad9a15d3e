import ArgumentParser
import Foundation

/// `colony chaos`: fault experiments with stop conditions against real node processes.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run fault experiments against a local colony of node processes: a checked load, seeded faults, stop conditions.",
        discussion: """
            Each run starts its own colony (free loopback ports, TLS, in a folder of its own), creates the load's \
            cells on every node and runs the checked load of `colony load` while it puts the seed's faults on the \
            nodes: kill -9 and start again; pause (SIGSTOP, then SIGCONT) a node that leads cells; stall the disk \
            of a node that leads cells (every fsync of its log held, through a lock only a development colony's \
            nodes take). With --network namespaces (root, ip and iptables needed) each node runs in a network \
            namespace of its own on a private bridge, and three more kinds are drawn: partition (a node that leads \
            cells cut off from every other node, both ways; clients still reach it), zone-partition (the nodes of \
            one zone cut off from the rest) and loss (--packet-loss of a leading node's peer packets dropped, both \
            ways); the run removes its namespaces, veths and bridge at the end, and when interrupted. Asked for \
            by name (root needed), disk-full puts each node's data on a small tmpfs of its own and fills the disk \
            of a node that leads cells: it stops at its first write it cannot make durable, and the heal frees \
            the space and starts it again. Asked for by name (libfaketime needed: apt-get install faketime), \
            clock-skew starts a node that leads cells again with its wall clock up to --clock-skew seconds ahead \
            or behind (the offset drawn from the seed; its monotonic clock, which drives its ticks, left alone), \
            and the heal starts it again on the true time. At most a \
            minority of nodes is broken at once unless --broken-max says more. A watch judges the stop conditions \
            every 250 ms (error rate and p99.9 latency over --window, cells without a leader for --leaderless-for); \
            when one fires the run stops its faults and heals at once. Then it heals, lets the load go on for \
            --settle, reads every key back, checks the history for linearizability and lost acknowledged writes, \
            and prints one verdict line; --runs N runs seeds S to S+N-1 and ends with a summary line. A run that \
            did not pass keeps its folder (logs, data, history.jsonl); SIGINT or SIGTERM kills the run's nodes \
            (a paused one continued first) and keeps its folder. Exit status: 0 every run passed (an abort \
            by a stop condition is reported, not a failure), 1 a violation or a lost acknowledged write, 8 the \
            checker gave up, 6 the colony did not heal or a key could not be read back.
            """
    )

    @Option(help: "Runs, each with its own seed and colony.") var runs = 1
    @Option(help: "The first run's seed; run i uses seed+i.") var seed: UInt64 = 1
    @Option(help: "Node processes (3 to 9); every cell of the load has a replica on each.") var nodes = 3
    @Option(help: "Fault kinds to draw from, comma-separated: kill, pause, stall; with --network namespaces also partition, zone-partition, loss; as root also disk-full; with libfaketime also clock-skew (default: every kind the network allows, disk-full and clock-skew only when named).")
    var faults: String?
    @Option(help: "Where the nodes run: loopback, or namespaces (a network namespace each, for network faults; needs root, ip and iptables).")
    var network = ChaosNetwork.loopback
    @Option(help: "The share of a node's peer packets a loss fault drops, from 0.01 to 1.") var packetLoss = 0.2
    @Option(help: "The largest offset, in seconds, a clock-skew fault sets a node's wall clock ahead or behind by, from 1 to 31536000 (a year); a node set more than about an hour behind refuses to start, its certificates not yet valid.")
    var clockSkew: Int64 = 300
    @Option(help: "How long faults go on in each run: 10s, 1m.") var length = Span(milliseconds: 10_000)
    @Option(help: "How long the load goes on after the colony is healed.") var settle = Span(milliseconds: 2_000)
    @Option(help: "The most nodes broken at once (default: a minority).") var brokenMax: Int?
    @Option(help: "Cells the load spreads over.") var cells = 3
    @Option(help: "Keys per cell.") var keysPerCell = 3
    @Option(help: "Concurrent clients of the load.") var clients = 4
    @Option(help: "Stop condition: the largest share of operations ended in an error over the window, 0 to 1.")
    var maxErrorRate = 0.5
    @Option(help: "Stop condition: the largest p99.9 latency over the window (operations still running count with their age).")
    var maxP999 = Span(milliseconds: 12_000)
    @Option(help: "Stop condition: the most cells of the load without a known leader for --leaderless-for.")
    var maxLeaderlessCells = 0
    @Option(help: "How long a cell must go without a known leader to count against --max-leaderless-cells.")
    var leaderlessFor = Span(milliseconds: 10_000)
    @Option(help: "How far back the error rate and the p99.9 latency look.") var window = Span(milliseconds: 5_000)
    @Option(help: "The folder the runs' colonies live in (default: a new one under the temporary folder).") var dir: String?
    @Flag(help: "Keep every run's folder, with its history, even after a run that passed.") var keep = false
    @Option(help: "The nodes' log level.") var logLevel = "warning"
    @Flag(help: "Print each run, then the summary, as one JSON object a line.") var json = false

    func validate() throws {
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be from 1 to 10000") }
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be from 3 to 9") }
        guard let kinds = faultKinds, !kinds.isEmpty else {
            let named = network.kinds + ChaosFaultKind.namedKinds
            throw ValidationError("--faults takes \(named.map(\.rawValue).joined(separator: ", ")), comma-separated, like kill,pause")
        }
        if kinds.contains(where: ChaosFaultKind.diskKinds.contains), geteuid() != 0 {
            throw ValidationError("--faults disk-full needs root: it mounts a small tmpfs for each node's data")
        }
        if network == .loopback, let networkKind = kinds.first(where: ChaosFaultKind.networkKinds.contains) {
            throw ValidationError("--faults \(networkKind.rawValue) needs --network namespaces")
        }
        guard (0.01...1).contains(packetLoss) else { throw ValidationError("--packet-loss must be from 0.01 to 1") }
        guard (1...Self.clockSkewSecondsMax).contains(clockSkew) else {
            throw ValidationError("--clock-skew must be from 1 to \(Self.clockSkewSecondsMax) seconds")
        }
        guard (1_000...3_600_000).contains(length.milliseconds) else { throw ValidationError("--length must be from 1s to 1h") }
        guard settle.milliseconds <= 600_000 else { throw ValidationError("--settle must be at most 10m") }
        if let brokenMax, !(1...nodes).contains(brokenMax) {
            throw ValidationError("--broken-max must be from 1 to --nodes (\(nodes))")
        }
        if kinds.contains(.zonePartition), !scheduleShape.zonePartitionFits {
            throw ValidationError("zone-partition would cut off \(scheduleShape.nodesByZone.map(\.count).max() ?? 0) nodes of \(nodes) at once; raise --broken-max or leave it out of --faults")
        }
        guard (1...100).contains(cells), (1...100).contains(keysPerCell), (1...256).contains(clients) else {
            throw ValidationError("--cells and --keys-per-cell must be from 1 to 100, --clients from 1 to 256")
        }
        guard (0...1).contains(maxErrorRate) else { throw ValidationError("--max-error-rate must be from 0 to 1") }
        guard maxP999.milliseconds > 0, window.milliseconds > 0, leaderlessFor.milliseconds > 0 else {
            throw ValidationError("--max-p999, --window and --leaderless-for must be more than 0")
        }
        guard maxLeaderlessCells >= 0 else { throw ValidationError("--max-leaderless-cells must be 0 or more") }
    }

    /// The largest `--clock-skew`, in seconds: a year.
    static let clockSkewSecondsMax: Int64 = 365 * 86_400

    /// The kinds `--faults` names, or else every kind the network takes (a zone partition
    /// only if no zone is larger than --broken-max); nil if one is not a kind.
    private var faultKinds: [ChaosFaultKind]? {
        guard let faults else {
            return network.kinds.filter { $0 != .zonePartition || scheduleShape.zonePartitionFits }.sorted()
        }
        let kinds = faults.split(separator: ",").map { ChaosFaultKind(rawValue: String($0)) }
        return kinds.contains(nil) ? nil : Array(Set(kinds.compactMap { $0 })).sorted()
    }

    /// Every run's schedule options but the kinds.
    private var scheduleShape: ChaosScheduleOptions {
        var options = ChaosScheduleOptions()
        options.nodes = nodes
        options.length = length.duration
        options.brokenMax = brokenMax ?? max(1, ChaosScheduleOptions.minority(of: nodes))
        options.clockSkewSecondsMax = clockSkew
        return options
    }

    /// The options of every run's schedule.
    private var scheduleOptions: ChaosScheduleOptions {
        var options = scheduleShape
        options.kinds = faultKinds ?? ChaosFaultKind.processKinds
        return options
    }

    func run() async throws {
        var tools: NetworkTools?
        if network == .namespaces {
            switch NetworkTools.locate() {
            case .success(let found): tools = found
            case .failure(let failure): throw failure
            }
        }
        var fakeTime: FakeTime?
        if scheduleOptions.kinds.contains(where: ChaosFaultKind.clockKinds.contains) {
            switch FakeTime.locate() {
            case .success(let found): fakeTime = found
            case .failure(let failure): throw failure
            }
        }
        let base = dir ?? NSTemporaryDirectory() + "colony-chaos-\(UUID().uuidString.prefix(8))"
        let started = ContinuousClock.now
        let interruption = RunInterruption.catchingSignals()
        var outcomes: [ChaosOutcome] = []
        for run in 0..<runs {
            var experiment = experiment(seed: seed &+ UInt64(run), base: base)
            experiment.interruption = interruption
            experiment.namespaces = tools
            experiment.fakeTime = fakeTime
            let outcome = try await experiment.run()
            report(outcome, folder: base + "/seed-\(outcome.seed)")
            outcomes.append(outcome)
        }
        if dir == nil {
            rmdir(base)  // only if empty: a run that did not pass keeps its folder in it
        }
        let summary = ChaosSummary(outcomes: outcomes, duration: ContinuousClock.now - started)
        if runs > 1 {
            printNow(json ? Self.jsonLine(summary.json) : summary.line)
        }
        if summary.status != .success { throw ExitCode(summary.status) }
    }

    private func experiment(seed: UInt64, base: String) -> ChaosExperiment {
        var experiment = ChaosExperiment(seed: seed, directory: base + "/seed-\(seed)")
        experiment.schedule = scheduleOptions
        experiment.packetLoss = packetLoss
        experiment.conditions.errorRateMax = maxErrorRate
        experiment.conditions.latencyP999Max = maxP999.duration
        experiment.conditions.leaderlessCellsMax = maxLeaderlessCells
        experiment.conditions.leaderlessFor = leaderlessFor.duration
        experiment.conditions.window = window.duration
        experiment.cells = cells
        experiment.keysPerCell = keysPerCell
        experiment.clients = clients
        experiment.settle = settle.duration
        experiment.keepFolder = keep
        experiment.logLevel = logLevel
        return experiment
    }

    private func report(_ outcome: ChaosOutcome, folder: String) {
        if json {
            printNow(Self.jsonLine(outcome.json))
            return
        }
        for finding in outcome.findings {
            printNow("  " + finding)
        }
        if outcome.status != .success || keep {
            printNow("  logs, data and history kept in \(folder)")
        }
        printNow(outcome.line)
    }

    private static func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Where `colony chaos` runs its nodes.
enum ChaosNetwork: String, ExpressibleByArgument, Sendable {
    /// On loopback, each on ports of its own: process and disk faults only.
    case loopback
    /// Each in a network namespace of its own (`NamespacedColony`): network faults too.
    case namespaces

    /// The kinds of fault a colony on this network takes.
    var kinds: [ChaosFaultKind] {
        switch self {
        case .loopback: ChaosFaultKind.processKinds
        case .namespaces: ChaosFaultKind.processKinds + ChaosFaultKind.networkKinds
        }
    }
}
