import ArgumentParser
import ColonyControl
import ColonyCore
import Dispatch
import Foundation

/// `colony rollout`: restarts a colony's nodes one at a time, one zone at a time, each only
/// once the colony is healthy, and goes back by itself when the restarted node does not come
/// back healthy or an alarm fires.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Restart every node in waves (one node at a time, one zone at a time), rolling back by itself on an alarm.",
        discussion: """
            The nodes come from the directory (gone ones left out), zone by zone in name order, each zone's \
            in id order. Before each restart every node must serve (/health on its admin endpoint) and list its \
            replicas, and every cell with a replica on the node must keep a majority of its members voting \
            (holding the cell's state, renewed, not damaged) without it. The --restart command (run by /bin/sh, {node}, {zone}, {rack} and {host} \
            replaced) restarts the node, on its host, however the host runs it: `ssh {host} sudo systemctl \
            restart colony`, `kubectl delete pod colony-{node}`, `colony dev restart {node}`. Once the node \
            is back and every cell has a voting majority again, the requests of the next --observe-seconds are judged: \
            above --unavailable-max answered unavailable, or a 99th percentile above --p99-max-ms, is an \
            alarm. On an alarm, a failed command or a node not healthy within --wait-seconds, the rollout \
            stops and runs --rollback for each node it restarted, the last first, each waited for as \
            before. A rollback to the build before a format change works while the colony's format level \
            is not raised (`colony upgrade status`).
            """)

    @Option(help: "The command that restarts one node on the new build ({node}, {zone}, {rack}, {host} replaced).") var restart: String
    @Option(help: "The command that restarts one node on the build before, run for each node restarted when the rollout stops.")
    var rollback: String?
    @Option(help: "How long a node may take to serve again, and the colony to be healthy, after a restart.") var waitSeconds = 120
    @Option(help: "How long the requests after each restart are watched for an alarm.") var observeSeconds = 10
    @Option(help: "The largest share of requests answered unavailable in a watch before it is an alarm.") var unavailableMax = 0.05
    @Option(help: "The longest 99th-percentile request duration in a watch, in milliseconds, before it is an alarm.") var p99MaxMs = 1_000.0
    @Flag(help: "Print the order and the commands, and restart nothing.") var dryRun = false
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard waitSeconds > 0, observeSeconds >= 0 else { throw ValidationError("--wait-seconds must be above 0 and --observe-seconds at least 0") }
        guard (0...1).contains(unavailableMax), p99MaxMs > 0 else {
            throw ValidationError("--unavailable-max is a share from 0 to 1, and --p99-max-ms must be above 0")
        }
    }

    func run() async throws {
        try await options.withDirectory { directory in
            let nodes = RolloutPlan.order(try await directory.nodes())
            guard !nodes.isEmpty else { throw CommandFailure(.notFound, "the directory records no node to restart") }
            let blind = nodes.filter { $0.adminAddress == nil }.map { String($0.id) }
            guard blind.isEmpty else {
                throw CommandFailure(
                    .conditionFailed,
                    "nodes \(blind.joined(separator: ", ")) record no admin address: the rollout judges each node's health through its admin endpoint")
            }
            if dryRun {
                for node in nodes { printNow("node \(node.id) (zone \(node.zone)): \(RolloutPlan.command(restart, for: node))") }
                return
            }
            try await roll(nodes, watch: RolloutWatch(nodes: nodes, directory: directory, waitSeconds: waitSeconds))
        }
    }

    /// Restarts `nodes` in order, each once it is safe to, each watched after; stops and rolls
    /// back on the first alarm.
    private func roll(_ nodes: [NodeRecord], watch: RolloutWatch) async throws {
        let alarms = RolloutAlarms(unavailableShareMax: unavailableMax, p99SecondsMax: p99MaxMs / 1_000)
        var restarted: [NodeRecord] = []
        for node in nodes {
            if let problem = await watch.untilSafe(restarting: node) {
                try await stop("it is not safe to restart node \(node.id): \(problem)", restarted: restarted, watch: watch)
            }
            printNow("node \(node.id) (zone \(node.zone)): restarting")
            restarted.append(node)
            if let failure = await Self.shell(RolloutPlan.command(restart, for: node)) {
                try await stop("the restart of node \(node.id) failed: \(failure)", restarted: restarted, watch: watch)
            }
            if let problem = await watch.untilSafe(restarting: nil) {
                try await stop("node \(node.id) restarted, and \(problem)", restarted: restarted, watch: watch)
            }
            let before = await watch.figures()
            try? await Task.sleep(for: .seconds(observeSeconds))
            let after = await watch.figures()
            if let silent = zip(nodes, after).first(where: { $0.1 == nil })?.0 {
                try await stop("node \(silent.id)'s metrics did not answer after node \(node.id)'s restart", restarted: restarted, watch: watch)
            }
            let window = RequestFigures.sum(zip(after, before).compactMap { after, before in
                guard let after else { return nil }
                return before.map(after.since) ?? after
            })
            if let alarm = alarms.firing(window) {
                try await stop("alarm after node \(node.id)'s restart: \(alarm)", restarted: restarted, watch: watch)
            }
            printNow("node \(node.id): serving, every cell with a voting majority; \(Int(window.requests)) requests in \(observeSeconds) s, no alarm")
        }
        if let problem = await watch.untilSafe(restarting: nil) {
            try await stop("after the last restart, \(problem)", restarted: restarted, watch: watch)
        }
        options.show("rolled out to \(nodes.count) nodes, zone by zone", json: ["restarted": nodes.map(\.id)])
    }

    /// Stops the rollout for `reason`: runs the rollback command for each node of `restarted`,
    /// the last first, each waited for until the colony is healthy; then fails with what
    /// happened.
    private func stop(_ reason: String, restarted: [NodeRecord], watch: RolloutWatch) async throws -> Never {
        printNow("stopping: \(reason)")
        guard !restarted.isEmpty else { throw CommandFailure(.failure, "\(reason); no node was restarted") }
        let nodes = restarted.map { String($0.id) }.joined(separator: ", ")
        guard let rollback else {
            throw CommandFailure(.failure, "\(reason); no --rollback command was given: nodes \(nodes) run the new build")
        }
        var failures: [String] = []
        for node in restarted.reversed() {
            printNow("node \(node.id): rolling back")
            if let failure = await Self.shell(RolloutPlan.command(rollback, for: node)) {
                failures.append("node \(node.id)'s rollback failed: \(failure)")
            } else if let problem = await watch.untilSafe(restarting: nil) {
                failures.append("after node \(node.id)'s rollback, \(problem)")
            }
        }
        guard failures.isEmpty else {
            throw CommandFailure(.failure, "\(reason); rolling back nodes \(nodes) did not finish: \(failures.joined(separator: "; "))")
        }
        throw CommandFailure(.failure, "\(reason); rolled back nodes \(nodes), each serving again")
    }

    /// Runs `command` with /bin/sh to its end, its output passed through; nil when it exits 0,
    /// else how it ended.
    static func shell(_ command: String) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: "cannot run /bin/sh: \(error)")
                    return
                }
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus == 0 ? nil : "`\(command)` exited with status \(process.terminationStatus)")
            }
        }
    }
}

/// What `colony rollout` reads of the nodes: whether every node serves (its admin
/// endpoint's /health), what every node says of its replicas (`ListCells`, through the
/// observer), and each node's request figures.
struct RolloutWatch: Sendable {
    /// The nodes watched.
    let nodes: [NodeRecord]
    /// The directory, which places the cells, read through a client that also asks the nodes
    /// for their replicas.
    let directory: Directory
    /// How long `untilSafe` waits.
    let waitSeconds: Int

    /// Waits until it is safe to restart `next` (with none: until the colony is healthy);
    /// nil once it is, else what was wrong at the deadline.
    func untilSafe(restarting next: NodeRecord?) async -> String? {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while true {
            guard let problem = await problem(restarting: next) else { return nil }
            guard ContinuousClock.now < deadline else { return "after \(waitSeconds) s \(problem)" }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// What keeps `next` from being restarted now (see `RolloutPlan.problem`), or nil.
    func problem(restarting next: NodeRecord?) async -> String? {
        let health = await AdminScrape.getAll("/health", from: nodes.map(\.adminAddress), waitSeconds: 2)
        for (node, answer) in zip(nodes, health) where answer != "serving\n" {
            return "node \(node.id) does not serve (its /health: \(answer.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "no answer"))"
        }
        let placed: [String]
        do {
            placed = try await directory.cells().map(\.cell.name)
        } catch {
            return "the directory does not answer (\(error))"
        }
        let (cells, unreachable) = await ColonyObserver(client: directory.client).observe(nodes)
        return RolloutPlan.problem(placed: placed, cells: cells, unreachable: unreachable, next: next.map { NodeID($0.id) })
    }

    /// Each node's request figures now, in the order of `nodes`; nil where its metrics did
    /// not answer.
    func figures() async -> [RequestFigures?] {
        await AdminScrape.getAll("/metrics", from: nodes.map(\.adminAddress), waitSeconds: 2).map { $0.map(RequestFigures.init(metrics:)) }
    }
}
