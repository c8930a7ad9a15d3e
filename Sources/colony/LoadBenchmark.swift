import ArgumentParser
import ColonyClient
import ColonyNode
import Foundation

/// `colony bench load`: writes and reads per second, their latency and the CPU each cost,
/// against a local colony of node processes on loopback — and, if etcd is installed, against
/// a 3-member etcd on loopback in the same run, driven by the same loop through etcd's gRPC
/// API — with mutual TLS and then plaintext for both.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Writes/s, reads/s and CPU per operation with 1, 64 and 256 concurrent callers over many cells, beside etcd if it is installed.",
        discussion: """
            Starts its own nodes (and etcd members) on free loopback ports under a temporary folder, \
            and stops and removes them at the end. etcd: `apt-get install etcd-server` puts `etcd` on \
            PATH; without it only Colony is measured. Each caller runs one operation at a time; all the \
            callers share one client, as the threads of one application would: Colony's client, or an \
            etcd client of a few HTTP/2 connections (KV.Put; KV.Range, linearizable), as etcd's own \
            `benchmark` tool makes. Both systems run with mutual TLS, to clients and between servers, \
            etcd's certificates made as `colony certs` makes them; and both plaintext. Each row says the \
            CPU (user and system, from /proc) the servers and this process spent per acknowledged \
            operation; latencies come from HDR histograms.
            """
    )

    @Option(help: "Node processes (and replicas per cell: an odd number, 3 to 9).") var nodes: Int = 3
    @Option(help: "Cells the load spreads over.") var cells: Int = 1_000
    @Option(help: "Seconds per measurement.") var seconds: Double = 5
    @Option(help: "Counts of concurrent callers to measure, comma-separated; they share one client.") var callers: String = "1,64,256"
    @Option(help: "Transport security to measure both systems with, comma-separated: mtls, plaintext.") var transports: String = "mtls,plaintext"
    @Option(help: "HTTP/2 connections of the etcd client, spread over the members.") var etcdConnections: Int = 8
    @Option(help: "The etcd executable (default: etcd on PATH; 'none' to skip).") var etcd: String?
    @Flag(help: "Print the first error each client meets.") var showErrors = false
    @Flag(help: "Measure the cost of authorization instead of etcd: the same load as a client with a grant on the cells, with authorization off, on, on again and off again.")
    var authorization = false

    /// The transport security of one run of both systems.
    enum Transport: String {
        case mtls, plaintext

        /// Its name in the table.
        var label: String { self == .mtls ? "mTLS" : "plaintext" }
    }

    func validate() throws {
        guard (3...9).contains(nodes), nodes % 2 == 1 else { throw ValidationError("--nodes must be odd, 3 to 9") }
        guard (1...1_000_000).contains(cells) else { throw ValidationError("--cells must be from 1 to 1000000") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be from 0 to 600") }
        guard !callerCounts.isEmpty, callerCounts.allSatisfy({ (1...1_024).contains($0) }) else {
            throw ValidationError("--callers takes counts from 1 to 1024, like 1,64")
        }
        guard let runs = transportRuns, !runs.isEmpty else { throw ValidationError("--transports takes mtls, plaintext or both, like mtls,plaintext") }
        guard (1...64).contains(etcdConnections) else { throw ValidationError("--etcd-connections must be from 1 to 64") }
    }

    private var callerCounts: [Int] { callers.split(separator: ",").compactMap { Int($0) } }

    /// The transports named by `--transports`, nil if one is not a transport.
    private var transportRuns: [Transport]? {
        let runs = transports.split(separator: ",").map { Transport(rawValue: String($0)) }
        return runs.contains(nil) ? nil : runs.compactMap { $0 }
    }

    func run() async throws {
        let root = NSTemporaryDirectory() + "colony-bench-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (0..<cells).map { "bench-\($0)" }
        let value = [UInt8](repeating: 0x61, count: 100)
        if authorization {
            let colony = try await LocalNodes.start(count: nodes, directory: root + "/colony")
            defer { colony.stopAll() }
            await (try await cellsWritten(colony, names: names, value: value)).close()
            print(LoadFigures.headerWithCPU)
            try await compareAuthorization(colony: colony, names: names, value: value)
            return
        }
        let etcdPath = EtcdCluster.executable(etcd)
        print(
            "colony bench load: \(nodes) replicas per cell (etcd: 3 members), \(cells) cells, 100-byte values, \(Format.seconds(seconds)) per row; "
                + "load average before: \(Self.loadAverage)")
        print(LoadFigures.headerWithCPU)
        var rows: [Row] = []
        for transport in transportRuns ?? [] {
            rows += try await measureColony(transport: transport, directory: root + "/colony-\(transport.rawValue)", names: names, value: value)
            if let etcdPath {
                rows += try await measureEtcd(
                    executable: etcdPath, transport: transport, directory: root + "/etcd-\(transport.rawValue)", names: names, value: value)
            }
        }
        print("load average after: \(Self.loadAverage)")
        guard etcdPath != nil else {
            print(etcd == "none" ? "etcd: not measured (--etcd none)" : "etcd: not measured (not installed; `apt-get install etcd-server`, or pass --etcd PATH)")
            return
        }
        for line in Row.comparison(rows) { print(line) }
    }

    /// One row of the table: a system, its transport, writes or reads, and how many callers.
    struct Row {
        var system: String
        var transport: Transport
        var isWrite: Bool
        var callers: Int
        var figures: LoadFigures
        var cpu: CPUCost

        /// Colony beside etcd for each transport and count of callers measured for both.
        static func comparison(_ rows: [Row]) -> [String] {
            var lines: [String] = []
            for colony in rows where colony.system == "colony" {
                guard let etcd = rows.first(where: {
                    $0.system == "etcd" && $0.transport == colony.transport && $0.isWrite == colony.isWrite && $0.callers == colony.callers
                }) else { continue }
                let rate = colony.figures.perSecond / max(etcd.figures.perSecond, 1e-9)
                let cpu = colony.cpu.totalMicroseconds.flatMap { ours in etcd.cpu.totalMicroseconds.map { ours / max($0, 1e-9) } }
                lines.append(
                    "\(colony.transport.label), \(colony.isWrite ? "writes" : "reads"), \(colony.callers) caller\(colony.callers == 1 ? "" : "s"): Colony \(Format.ratio(rate)) etcd's ops/s, "
                        + "CPU per op (servers and client) \(cpu.map { Format.ratio($0) } ?? "?") etcd's, "
                        + "p50 \(Format.milliseconds(colony.figures.latency(atPercent: 50))) / \(Format.milliseconds(etcd.figures.latency(atPercent: 50))), "
                        + "p99.9 \(Format.milliseconds(colony.figures.latency(atPercent: 99.9))) / \(Format.milliseconds(etcd.figures.latency(atPercent: 99.9)))")
            }
            return lines
        }
    }

    /// Colony's rows under `transport`: a colony of `nodes` nodes in `directory`, stopped at the end.
    private func measureColony(transport: Transport, directory: String, names: [String], value: [UInt8]) async throws -> [Row] {
        let colony = try await LocalNodes.start(count: nodes, directory: directory, plaintext: transport == .plaintext)
        defer { colony.stopAll() }
        let client = try await cellsWritten(colony, names: names, value: value)
        let servers = colony.processes.values.map(\.processIdentifier)
        var rows: [Row] = []
        for count in callerCounts {
            rows.append(try await measure("colony", transport, isWrite: true, callers: count, servers: servers, names: names, client: client) {
                client, cell, _ in try await client.colony.put(cell, "k", value)
            })
            rows.append(try await measure("colony", transport, isWrite: false, callers: count, servers: servers, names: names, client: client) {
                client, cell, _ in _ = try await client.colony.get(cell, "k")
            })
        }
        await client.close()
        return rows
    }

    /// etcd's rows under `transport`: a 3-member cluster in `directory`, stopped at the end.
    private func measureEtcd(executable: String, transport: Transport, directory: String, names: [String], value: [UInt8]) async throws -> [Row] {
        let cluster = try await EtcdCluster.start(executable: executable, members: 3, directory: directory, plaintext: transport == .plaintext)
        defer { cluster.stop() }
        let client = BenchClient(etcd: try await cluster.client(connections: etcdConnections))
        // Each key is written once before, as Colony's are, so every read finds its key.
        try await warm(client, names: names) { client, cell, index in try await client.etcd.put(key: cell + "/k", value: value, caller: index) }
        var rows: [Row] = []
        for count in callerCounts {
            rows.append(try await measure("etcd", transport, isWrite: true, callers: count, servers: cluster.pids, names: names, client: client) {
                client, cell, index in try await client.etcd.put(key: cell + "/k", value: value, caller: index)
            })
            rows.append(try await measure("etcd", transport, isWrite: false, callers: count, servers: cluster.pids, names: names, client: client) {
                client, cell, index in try await client.etcd.range(key: cell + "/k", caller: index)
            })
        }
        await client.close()
        return rows
    }

    /// A client of `colony` once it has created the cells `names` and written `value` to each:
    /// one client for all the callers, as one application process would have (its operations
    /// share one session per node and its cache of leaders).
    private func cellsWritten(_ colony: LocalNodes, names: [String], value: [UInt8]) async throws -> BenchClient {
        let client = BenchClient(colony: try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS))
        for name in names {
            _ = try await client.colony.createCell(name, nodes: (1...UInt32(nodes)).map { $0 })
        }
        // Every cell elects its leader on its first write; that is not what is measured.
        try await warm(client, names: names) { client, cell, _ in try await client.colony.put(cell, "k", value) }
        return client
    }

    /// One write to each cell of `names`, 64 at a time, not measured.
    private func warm(
        _ client: BenchClient, names: [String], _ write: @escaping @Sendable (BenchClient, String, Int) async throws -> Void
    ) async throws {
        _ = try await ClosedLoops.measure(callers: 64, seconds: 1_000, stopAfter: names.count, names: names, client: client, showErrors: showErrors, write)
    }

    /// A measurement of `callers` closed loops of `operation`, and the CPU the processes
    /// `servers` and this one spent on it, printed as a row of the table.
    private func measure(
        _ system: String, _ transport: Transport, isWrite: Bool, callers: Int, servers: [Int32], names: [String], client: BenchClient,
        _ operation: @escaping @Sendable (BenchClient, String, Int) async throws -> Void
    ) async throws -> Row {
        let start = CPUReading.now(servers: servers)
        let figures = try await ClosedLoops.measure(callers: callers, seconds: seconds, names: names, client: client, showErrors: showErrors, operation)
        let cpu = CPUCost(from: start, to: .now(servers: servers), operations: figures.count)
        let row = Row(system: system, transport: transport, isWrite: isWrite, callers: callers, figures: figures, cpu: cpu)
        print(figures.line("\(system) \(transport.label) \(isWrite ? "writes" : "reads") x\(callers)", cpu: cpu))
        return row
    }

    /// The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg says them.
    private static var loadAverage: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Writes, then reads, of the cells `names` by `callers` callers through `client`, each
    /// with the CPU the processes `servers` and this one spent on it.
    private func measureWritesAndReads(
        callers: Int, names: [String], value: [UInt8], client: BenchClient, servers: [Int32]
    ) async throws -> (writes: LoadFigures, writesCPU: CPUCost, reads: LoadFigures, readsCPU: CPUCost) {
        let start = CPUReading.now(servers: servers)
        let writes = try await ClosedLoops.measure(callers: callers, seconds: seconds, names: names, client: client, showErrors: showErrors) { client, cell, _ in
            try await client.colony.put(cell, "k", value)
        }
        let middle = CPUReading.now(servers: servers)
        let reads = try await ClosedLoops.measure(callers: callers, seconds: seconds, names: names, client: client, showErrors: showErrors) { client, cell, _ in
            _ = try await client.colony.get(cell, "k")
        }
        let end = CPUReading.now(servers: servers)
        return (writes, CPUCost(from: start, to: middle, operations: writes.count), reads, CPUCost(from: middle, to: end, operations: reads.count))
    }

    /// The same load with authorization off and on, twice each (off, on, on, off), as the client `app`
    /// holding read-write on `bench-*` (so every request is checked against a grant, not waved
    /// through as an admin's); each phase starts once every node enforces its policy. Beside
    /// writes/s, which a shared machine's noise moves by more than the check costs, it compares
    /// the servers' CPU per write, which that noise moves less.
    private func compareAuthorization(colony: LocalNodes, names: [String], value: [UInt8]) async throws {
        _ = try await DirectoryInitialization.run(config: colony.configs[0], replicas: nodes, tls: colony.clientTLS)
        var changes = DevAuthorization.changes(cells: "bench-*")
        let enable = changes.removeLast()
        _ = try await DevAuthorization.withDirectory(of: colony) { try await DevAuthorization.apply(changes, in: $0) }
        let files = LocalNodes.certificates(directory: colony.directory).files(for: .client(CertificateFolder.applicationClient))
        let client = BenchClient(colony: try ColonyClient(nodes: colony.clientAddresses, tls: .files(ca: files.ca, certificate: files.certificate, key: files.key)))
        let servers = colony.processes.values.map(\.processIdentifier)
        // The application's sessions open and its cache fills before anything is measured.
        try await warm(client, names: names) { client, cell, _ in try await client.colony.put(cell, "k", value) }
        var writesPerSecond: [Bool: [Int: [Double]]] = [:]
        var cpuPerWrite: [Bool: [Int: [Double]]] = [:]
        // Off, on, on, off: a cost that drifts with the run's length (logs and cells growing,
        // the machine's other work) weighs on both sides alike.
        var wasEnabled = false
        for (label, enabled) in [("off", false), ("on", true), ("on again", true), ("off again", false)] {
            if enabled != wasEnabled {
                _ = try await DevAuthorization.withDirectory(of: colony) { try await $0.change(enabled ? enable : .disable) }
                wasEnabled = enabled
            }
            try await DevAuthorization.waitUntilEnforced(enabled, on: colony)
            for count in callerCounts {
                let measured = try await measureWritesAndReads(callers: count, names: names, value: value, client: client, servers: servers)
                print(measured.writes.line("writes x\(count), auth \(label)", cpu: measured.writesCPU))
                print(measured.reads.line("reads x\(count), auth \(label)", cpu: measured.readsCPU))
                writesPerSecond[enabled, default: [:]][count, default: []].append(measured.writes.perSecond)
                if let cpu = measured.writesCPU.serverMicroseconds { cpuPerWrite[enabled, default: [:]][count, default: []].append(cpu) }
            }
        }
        await client.close()
        func mean(_ values: [Double]?) -> Double? {
            guard let values, !values.isEmpty else { return nil }
            return values.reduce(0, +) / Double(values.count)
        }
        for count in callerCounts {
            if let on = mean(writesPerSecond[true]?[count]), let off = mean(writesPerSecond[false]?[count]) {
                print(String(format: "writes/s with %d callers: authorization on is %.1f%% of off (means of two phases each)", count, 100 * on / off))
            }
            if let on = mean(cpuPerWrite[true]?[count]), let off = mean(cpuPerWrite[false]?[count]) {
                print(String(format: "servers' CPU per write with %d callers: %.0f µs on, %.0f µs off (%+.1f%%)", count, on, off, 100 * (on - off) / off))
            }
        }
        let cost = AuthorizationCheckCost.measure()
        print(String(
            format: "the check alone, on this CPU: %.0f ns per decision (a client holding 3 of %d roles of %d grants each, each on a key prefix, its grant the last), %.0f ns per session id bound to the identity",
            cost.decisionNanoseconds, AuthorizationCheckCost.roles, AuthorizationCheckCost.grantsPerRole, cost.sessionNanoseconds))
    }
}

/// Either kind of client the benchmark drives.
struct BenchClient: Sendable {
    private let colonyClient: ColonyClient?
    private let etcdClient: EtcdClient?

    init(colony: ColonyClient) {
        colonyClient = colony
        etcdClient = nil
    }

    init(etcd: EtcdClient) {
        colonyClient = nil
        etcdClient = etcd
    }

    var colony: ColonyClient {
        guard let colonyClient else { preconditionFailure("Invalid state: not a Colony client") }
        return colonyClient
    }

    var etcd: EtcdClient {
        guard let etcdClient else { preconditionFailure("Invalid state: not an etcd client") }
        return etcdClient
    }

    func close() async {
        await colonyClient?.close()
        await etcdClient?.close()
    }
}

/// Hands out at most `limit` operations in all (no limit when nil).
actor OperationCounter {
    private var left: Int?

    init(limit: Int?) {
        left = limit
    }

    func take() -> Bool {
        guard let remaining = left else { return true }
        guard remaining > 0 else { return false }
        left = remaining - 1
        return true
    }
}
