import ArgumentParser
import ColonyClient
import ColonyNode
import Foundation

/// `colony bench load`: writes and reads per second, and their latency, against a local
/// colony of node processes on loopback — and, if etcd is installed, against a 3-member etcd
/// on loopback in the same run, driven by the same loop.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Writes/s and reads/s with 1 and 64 concurrent callers over many cells, beside etcd if it is installed.",
        discussion: """
            Starts its own nodes (and etcd members) on free loopback ports under a temporary folder, \
            and stops and removes them at the end. etcd: `apt-get install etcd-server` puts `etcd` on \
            PATH; without it only Colony is measured. Each caller runs one operation at a time; all the \
            callers share one client, as the threads of one application would.
            """
    )

    @Option(help: "Node processes (and replicas per cell: an odd number, 3 to 9).") var nodes: Int = 3
    @Option(help: "Cells the load spreads over.") var cells: Int = 1_000
    @Option(help: "Seconds per measurement.") var seconds: Double = 5
    @Option(help: "Counts of concurrent callers to measure, comma-separated; they share one client.") var callers: String = "1,64"
    @Option(help: "The etcd executable (default: etcd on PATH; 'none' to skip).") var etcd: String?
    @Flag(help: "Print the first error each client meets.") var showErrors = false
    @Flag(help: "Measure the cost of authorization instead of etcd: the same load as a client with a grant on the cells, with authorization off, on, and off again.")
    var authorization = false

    func validate() throws {
        guard (3...9).contains(nodes), nodes % 2 == 1 else { throw ValidationError("--nodes must be odd, 3 to 9") }
        guard (1...1_000_000).contains(cells) else { throw ValidationError("--cells must be from 1 to 1000000") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be from 0 to 600") }
        guard !callerCounts.isEmpty, callerCounts.allSatisfy({ (1...1_024).contains($0) }) else {
            throw ValidationError("--callers takes counts from 1 to 1024, like 1,64")
        }
    }

    private var callerCounts: [Int] { callers.split(separator: ",").compactMap { Int($0) } }

    func run() async throws {
        let root = NSTemporaryDirectory() + "colony-bench-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (0..<cells).map { "bench-\($0)" }
        let value = [UInt8](repeating: 0x61, count: 100)
        print(LoadFigures.header)

        let colony = try await LocalNodes.start(count: nodes, directory: root + "/colony")
        defer { colony.stopAll() }
        // One client for all the callers, as one application process would have: its
        // operations share one session per node and its cache of leaders.
        let client = BenchClient(colony: try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS))
        for name in names {
            _ = try await client.colony.createCell(name, nodes: (1...UInt32(nodes)).map { $0 })
        }
        // Every cell elects its leader on its first write; that is not what is measured.
        _ = try await ClosedLoops.measure(
            callers: 64, seconds: 1_000, stopAfter: names.count, names: names, client: client, showErrors: showErrors
        ) { client, cell, _ in
            try await client.colony.put(cell, "k", value)
        }
        if authorization {
            await client.close()
            try await compareAuthorization(colony: colony, names: names, value: value)
            return
        }
        for count in callerCounts {
            let (writes, reads) = try await measureWritesAndReads(callers: count, names: names, value: value, client: client)
            print(writes.line("colony writes, \(count) callers"))
            print(reads.line("colony reads, \(count) callers"))
        }
        await client.close()
        colony.stopAll()

        guard let etcdPath = EtcdCluster.executable(etcd) else {
            print("etcd: not measured (not installed; `apt-get install etcd-server`, or pass --etcd PATH)")
            return
        }
        let cluster = try await EtcdCluster.start(executable: etcdPath, members: 3, directory: root + "/etcd")
        defer { cluster.stop() }
        // etcd's JSON gateway speaks HTTP/1.1: one connection per caller, so none waits for another.
        let etcdClient = BenchClient(
            etcd: EtcdClient(endpoints: cluster.clientURLs, connectionsPerMember: callerCounts.max() ?? 1))
        for count in callerCounts {
            let writes = try await ClosedLoops.measure(
                callers: count, seconds: seconds, names: names, client: etcdClient, showErrors: showErrors
            ) { client, cell, index in
                try await client.etcd.put(key: cell + "/k", value: value, endpoint: index)
            }
            print(writes.line("etcd writes, \(count) callers"))
            let reads = try await ClosedLoops.measure(
                callers: count, seconds: seconds, names: names, client: etcdClient, showErrors: showErrors
            ) { client, cell, index in
                try await client.etcd.get(key: cell + "/k", endpoint: index)
            }
            print(reads.line("etcd reads, \(count) callers"))
        }
    }

    /// Writes, then reads, of the cells `names` by `callers` callers through `client`.
    private func measureWritesAndReads(
        callers: Int, names: [String], value: [UInt8], client: BenchClient
    ) async throws -> (writes: LoadFigures, reads: LoadFigures) {
        let writes = try await ClosedLoops.measure(callers: callers, seconds: seconds, names: names, client: client, showErrors: showErrors) { client, cell, _ in
            try await client.colony.put(cell, "k", value)
        }
        let reads = try await ClosedLoops.measure(callers: callers, seconds: seconds, names: names, client: client, showErrors: showErrors) { client, cell, _ in
            _ = try await client.colony.get(cell, "k")
        }
        return (writes, reads)
    }

    /// The same load with authorization off, on and off again, as the client `app` holding
    /// read-write on `bench-*` (so every request is checked against a grant, not waved through
    /// as an admin's); each phase starts once every node enforces its policy.
    private func compareAuthorization(colony: LocalNodes, names: [String], value: [UInt8]) async throws {
        _ = try await DirectoryInitialization.run(config: colony.configs[0], replicas: nodes, tls: colony.clientTLS)
        var changes = DevAuthorization.changes(cells: "bench-*")
        let enable = changes.removeLast()
        _ = try await DevAuthorization.withDirectory(of: colony) { try await DevAuthorization.apply(changes, in: $0) }
        let files = LocalNodes.certificates(directory: colony.directory).files(for: .client(CertificateFolder.applicationClient))
        let client = BenchClient(colony: try ColonyClient(nodes: colony.clientAddresses, tls: .files(ca: files.ca, certificate: files.certificate, key: files.key)))
        // The application's sessions open and its cache fills before anything is measured.
        _ = try await ClosedLoops.measure(
            callers: 64, seconds: 1_000, stopAfter: names.count, names: names, client: client, showErrors: showErrors
        ) { client, cell, _ in
            try await client.colony.put(cell, "k", value)
        }
        var writesPerSecond: [Bool: [Int: [Double]]] = [:]
        for (label, enabled) in [("off", false), ("on", true), ("off again", false)] {
            if label != "off" {
                _ = try await DevAuthorization.withDirectory(of: colony) { try await $0.change(enabled ? enable : .disable) }
            }
            try await DevAuthorization.waitUntilEnforced(enabled, on: colony)
            for count in callerCounts {
                let (writes, reads) = try await measureWritesAndReads(callers: count, names: names, value: value, client: client)
                print(writes.line("writes x\(count), auth \(label)"))
                print(reads.line("reads x\(count), auth \(label)"))
                writesPerSecond[enabled, default: [:]][count, default: []].append(Double(writes.latencies.count) / seconds)
            }
        }
        await client.close()
        for count in callerCounts {
            let off = writesPerSecond[false]?[count] ?? []
            guard let on = writesPerSecond[true]?[count]?.first, !off.isEmpty else { continue }
            let baseline = off.reduce(0, +) / Double(off.count)
            print(String(format: "writes/s with %d callers: authorization on is %.1f%% of off (mean of the two off phases)", count, 100 * on / baseline))
        }
        let cost = AuthorizationCheckCost.measure()
        print(String(
            format: "the check alone, on this CPU: %.0f ns per decision (a client holding 3 of %d roles of %d grants each, its grant the last), %.0f ns per session id bound to the identity",
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

/// One measurement's figures.
struct LoadFigures {
    var latencies: [UInt64]
    var errors: Int
    var seconds: Double

    static let header = Format.padded("", 30) + Format.padded("ops/s", 10, right: true) + Format.padded("errors", 8, right: true)
        + Format.padded("p50", 11, right: true) + Format.padded("p99", 11, right: true) + Format.padded("p99.9", 11, right: true)

    func line(_ label: String) -> String {
        Format.padded(label, 30) + String(format: "%10.0f %7d", Double(latencies.count) / seconds, errors)
            + Format.padded(Format.milliseconds(percentile(latencies, 0.5)), 11, right: true)
            + Format.padded(Format.milliseconds(percentile(latencies, 0.99)), 11, right: true)
            + Format.padded(Format.milliseconds(percentile(latencies, 0.999)), 11, right: true)
    }
}
