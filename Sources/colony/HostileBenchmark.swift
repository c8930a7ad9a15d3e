import ArgumentParser
import ColonyCheck
import ColonyClient
import ColonyCore
import ColonyNode
import Foundation

/// `colony bench hostile`: a colony of node processes under a checked load from well-behaved
/// clients, first quiet, then while one node's client port is flooded with idle connections
/// that never start TLS (an attacker without a certificate), reopened as fast as the node
/// closes them. It prints what the node held and refused, its memory, and the clients'
/// throughput, latency and the checker's verdict in both phases.
struct HostileBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "A checked load keeps being answered while a node's client port is flooded with idle connections.",
        discussion: """
            Starts 3 node processes on loopback under a temporary folder. The idle connections come \
            from loopback addresses 127.0.0.2 onwards (Linux), so they play many hosts, and from as \
            many `colony bench flood` processes as the open file limit needs; the well-behaved \
            clients connect first, from 127.0.0.1.
            """
    )

    @Option(help: "Idle connections the attacker keeps trying to hold against node 1's client port.") var connections = 20_000
    @Option(help: "Loopback addresses the idle connections come from (127.0.0.2 onwards).") var hosts = 100
    @Option(help: "Well-behaved clients, each one operation at a time.") var clients = 16
    @Option(help: "Cells each phase's load spreads over.") var cells = 8
    @Option(help: "Seconds of load in each phase.") var seconds: Double = 15

    func validate() throws {
        guard (1...1_000_000).contains(connections) else { throw ValidationError("--connections must be from 1 to 1000000") }
        guard (1...250).contains(hosts) else { throw ValidationError("--hosts must be from 1 to 250") }
        guard (1...256).contains(clients) else { throw ValidationError("--clients must be from 1 to 256") }
        guard (1...1_000).contains(cells) else { throw ValidationError("--cells must be from 1 to 1000") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be from 0 to 600") }
    }

    func run() async throws {
        _ = OpenFileLimit.raiseToHard()
        guard let executable = Bundle.main.executablePath else { throw ValidationError("cannot find the colony executable") }
        let root = NSTemporaryDirectory() + "colony-bench-hostile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let colony = try await LocalNodes.start(count: 3, directory: root)
        defer { colony.stopAll() }
        let node1 = colony.configs[0].own
        guard let admin = node1.adminAddress, let pid = colony.processes[1]?.processIdentifier else {
            throw ValidationError("node 1 of the local colony has no admin address")
        }
        let quietCells = (0..<cells).map { "quiet-\($0)" }
        let floodCells = (0..<cells).map { "flood-\($0)" }
        let loaders = try await connectedClients(colony, cells: quietCells + floodCells)

        print("3 node processes (open file limit \(OpenFileLimit.current) each), \(cells) cells per phase, \(clients) well-behaved clients connected first")
        print(LoadFigures.header + "   verdict (errors: outcome unknown)")
        let quiet = try await load(colony, cells: quietCells, clients: loaders)
        print(quiet.figures.line("quiet") + "   " + quiet.verdict)
        let residentBefore = ProcessFigures.residentBytes(of: pid) ?? 0
        let before = AdminScrape.get("/metrics", from: admin) ?? ""

        let opening = ContinuousClock.now
        let flood = try FloodProcesses(
            executable: executable, target: node1.clientAddress, connections: connections, hosts: hosts,
            perProcessMax: max(1_000, Int(OpenFileLimit.current) - 1_000))
        try await flood.waitUntilReady()
        let openedIn = ContinuousClock.now - opening
        let sampler = NodeSampler(pid: pid, admin: admin)
        let flooded = try await load(colony, cells: floodCells, clients: loaders)
        let node = await sampler.stop()
        let figures = await flood.stop()
        let after = AdminScrape.get("/metrics", from: admin) ?? ""
        print(flooded.figures.line("under the flood") + "   " + flooded.verdict)
        let lines = report(
            figures, processes: flood.count, openedIn: openedIn, before: before, after: after, residentBefore: residentBefore,
            node: node)
        for line in lines { print(line) }
        for client in loaders { await client.close() }
        if !quiet.isLinearizable || !flooded.isLinearizable { throw ExitCode.failure }
    }

    /// One client per loop of the load, each having reached every node and learnt every
    /// cell's leader, so the flood finds them connected.
    private func connectedClients(_ colony: LocalNodes, cells: [String]) async throws -> [ColonyClient] {
        let loaders = try (0..<clients).map { _ in try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS) }
        for cell in cells {
            _ = try await loaders[0].createCell(cell, nodes: [1, 2, 3])
            _ = try await loaders[0].put(cell, "ready", "yes")
        }
        for client in loaders {
            _ = try await client.listCells()
            for cell in cells { _ = try await client.get(cell, "ready") }
        }
        return loaders
    }

    /// A checked load over `cells` by `clients` for `seconds`: its figures and verdict.
    private func load(
        _ colony: LocalNodes, cells: [String], clients: [ColonyClient]
    ) async throws -> (figures: LoadFigures, verdict: String, isLinearizable: Bool) {
        var runner = LoadRunner(nodes: colony.clientAddresses, tls: colony.clientTLS, cells: cells)
        runner.duration = .milliseconds(Int64(seconds * 1_000))
        let started = ContinuousClock.now
        let events = try await runner.run(using: clients)
        let elapsed = ContinuousClock.now - started
        let report = LinearizabilityChecker().check(events)
        let figures = Self.figures(of: events, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let verdict = report.isLinearizable
            ? "linearizable (\(report.operationCount) operations)" : "NOT LINEARIZABLE (\(report.operationCount) operations)"
        return (figures, verdict, report.isLinearizable)
    }

    /// The latency of every operation with a definite outcome (invoke to ok or fail, per
    /// process: a compare-and-set whose condition failed is an answer too), and, as errors,
    /// the count of those whose outcome stayed unknown.
    static func figures(of events: [HistoryEvent], seconds: Double) -> LoadFigures {
        var invoked: [Int: UInt64] = [:]
        var latencies: [UInt64] = []
        var unknown = 0
        for event in events {
            switch event.type {
            case .invoke:
                invoked[event.process] = event.time
            case .ok, .fail:
                if let start = invoked.removeValue(forKey: event.process) { latencies.append(event.time - start) }
            case .info:
                invoked[event.process] = nil
                unknown += 1
            }
        }
        return LoadFigures(latencies: latencies, errors: unknown, seconds: seconds)
    }

    /// What node 1 did with the flood, from its metrics before and after and what the flood saw.
    private func report(
        _ figures: FloodProcesses.Figures, processes: Int, openedIn: Duration, before: String, after: String,
        residentBefore: Int, node: NodeSampler.Figures
    ) -> [String] {
        func grown(_ name: String) -> Int {
            Int((AdminScrape.metric(name, in: after) ?? 0) - (AdminScrape.metric(name, in: before) ?? 0))
        }
        let refused = ["address_limit", "port_limit", "descriptor_limit"].map {
            grown(#"colony_connections_refused_total{port="client",reason="\#($0)"}"#)
        }
        let timedOut = grown(#"colony_connections_closed_total{port="client",reason="handshake_timeout"}"#)
        let megabytes = { (bytes: Int) in String(format: "%.0f MB", Double(bytes) / 1e6) }
        return [
            "flood: \(connections) idle connections from \(hosts) addresses (\(processes) processes), opened in \(Format.seconds(Double(openedIn.components.seconds) + Double(openedIn.components.attoseconds) / 1e18)), each reopened as soon as node 1 closed it: \(figures.opened) connections made in all, \(figures.failed) attempts not connected",
            "at most \(figures.heldMax) of them were open at once (accepted by node 1 or waiting in the system's accept queue); node 1 held at most \(node.clientConnectionsMax) connections on its client port, its clients' included; it refused \(refused.reduce(0, +)) at once (\(refused[1]) at the port's limit, \(refused[0]) at the per-address limit, \(refused[2]) at the open file limit) and closed \(timedOut) that started no TLS within the handshake timeout",
            "node 1 resident memory: \(megabytes(residentBefore)) before the flood, at most \(megabytes(node.residentBytesMax)) during it; at most \(node.openFilesMax) open files",
        ]
    }
}

/// Samples a node process's resident memory, CPU use, open files and client connections (from
/// its admin endpoint) once a second until stopped.
final class NodeSampler: @unchecked Sendable {
    /// The largest figures seen.
    struct Figures: Sendable {
        /// Resident memory, in bytes.
        var residentBytesMax = 0
        /// CPU use over one interval between samples, as a percentage of one core.
        var cpuPercentMax = 0.0
        /// Open files.
        var openFilesMax = 0
        /// Connections open on the client port.
        var clientConnectionsMax = 0
    }

    private let sampling: Task<Figures, Never>

    /// Starts sampling process `pid`, whose admin endpoint is at `admin`.
    init(pid: Int32, admin: String) {
        sampling = Task {
            var figures = Figures()
            var cpuBefore = (seconds: ProcessFigures.cpuSeconds(of: pid), at: ContinuousClock.now)
            while true {
                // The last sample, taken when stopped, counts too if it spans a quarter of a second.
                let cpu = (seconds: ProcessFigures.cpuSeconds(of: pid), at: ContinuousClock.now)
                if let used = cpu.seconds, let usedBefore = cpuBefore.seconds, (cpu.at - cpuBefore.at) >= .milliseconds(250) {
                    figures.cpuPercentMax = max(figures.cpuPercentMax, 100 * (used - usedBefore) / (cpu.at - cpuBefore.at).seconds)
                }
                cpuBefore = cpu
                guard !Task.isCancelled else { break }
                figures.residentBytesMax = max(figures.residentBytesMax, ProcessFigures.residentBytes(of: pid) ?? 0)
                figures.openFilesMax = max(figures.openFilesMax, ProcessFigures.openFiles(of: pid) ?? 0)
                let open = AdminScrape.get("/metrics", from: admin).flatMap {
                    AdminScrape.metric(#"colony_connections_open{port="client"}"#, in: $0)
                }
                figures.clientConnectionsMax = max(figures.clientConnectionsMax, Int(open ?? 0))
                try? await Task.sleep(for: .seconds(1))
            }
            return figures
        }
    }

    /// Stops sampling; the largest figures seen.
    func stop() async -> Figures {
        sampling.cancel()
        return await sampling.value
    }
}
