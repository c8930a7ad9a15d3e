import ArgumentParser
import ColonyClient
import ColonyCore
import ColonyNode
import Foundation

/// `colony node` processes on loopback, started from this executable, one configuration
/// and log file each under one folder, with TLS: the folder's `certs/` holds a development
/// CA, a certificate per node and one client certificate, made on first use and kept (or,
/// for a benchmark's plaintext run, without TLS between nodes and to clients). Nodes
/// are spread over zones in turn (node 1 in z1, node 2 in z2, …), each on a rack of its own.
/// It can also run the colony's control loop (`colony control run`) as one more process.
final class LocalNodes: @unchecked Sendable {
    let directory: String
    /// The nodes' configurations, node `i` at index `i - 1`: those started together, then
    /// those that joined (`launchJoining`).
    private(set) var configs: [NodeConfig]
    private let executable: String
    private let logLevel: String
    /// How the nodes and the control loop write their logs.
    var logFormat: LogOptions.Format = .text
    /// The open file limit (`ulimit -n`) each node runs under, if not the one this process has.
    var openFilesMax: Int?
    /// Whether each node starts with a disk stall lock (`diskStallLock(of:)`), testing only.
    var diskStallLocks = false
    /// The command each node's process runs under, by node, if any: such as `ip netns exec
    /// NAME`, which runs it inside a network namespace (and becomes it, so its pid is the node's).
    var wrappers: [UInt32: [String]] = [:]
    private(set) var processes: [UInt32: Process] = [:]
    /// The ids of the processes in `processes`, kept apart under a lock for readers on other
    /// threads (a signal handler's).
    private var pids: Set<Int32> = []
    private let pidsLock = NSLock()
    private var exits: [UInt32: ProcessExit] = [:]
    /// The control loop's process, if it runs.
    private(set) var control: Process?

    private init(directory: String, configs: [NodeConfig], executable: String, logLevel: String) {
        self.directory = directory
        self.configs = configs
        self.executable = executable
        self.logLevel = logLevel
    }

    /// The nodes' client addresses, in node order.
    var clientAddresses: [String] { configs.map(\.own.clientAddress) }

    /// The TLS a client of these nodes uses: the folder's development client certificate, or
    /// none if the nodes run plaintext.
    var clientTLS: ClientTLS { configs.first?.plaintext == true ? .plaintext : Self.clientTLS(directory: directory) }

    /// The certificates of the local colony in `directory`.
    static func certificates(directory: String) -> CertificateFolder {
        CertificateFolder(directory: directory + "/certs")
    }

    /// The client TLS of the local colony in `directory`.
    static func clientTLS(directory: String) -> ClientTLS {
        let files = certificates(directory: directory).files(for: .client(CertificateFolder.developmentClient))
        return .files(ca: files.ca, certificate: files.certificate, key: files.key)
    }

    /// Starts `count` nodes of `executable` (default: this one), each under `openFilesMax` open
    /// files if given, without TLS if `plaintext`, exporting spans as `tracing` says, with a disk
    /// stall lock if `diskStallLocks`, reusing an earlier colony's configuration found in
    /// `directory`, and waits until each answers. With `hosts` (one address a node), node `i`
    /// listens and advertises on `hosts[i - 1]` instead of loopback, its certificate names that
    /// address, and it runs under `wrappers[i]`, if given. `announce` is told the nodes before
    /// the first starts, so that whoever must stop them on an interruption finds each one;
    /// `launched` is told them once every one has started, before they are waited for, so that
    /// a command a SIGKILL may end can write down their process ids first.
    static func start(
        count: Int, directory: String, zones: Int = 3, logLevel: String = "warning", logFormat: LogOptions.Format = .text,
        tracing: NodeTracing? = nil, executable: String? = nil, openFilesMax: Int? = nil, plaintext: Bool = false,
        diskStallLocks: Bool = false, hosts: [String]? = nil, wrappers: [UInt32: [String]] = [:], announce: (LocalNodes) -> Void = { _ in },
        launched: (LocalNodes) -> Void = { _ in }
    ) async throws -> LocalNodes {
        guard let executable = executable ?? Bundle.main.executablePath else {
            throw ValidationError("cannot find the colony executable")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        precondition(hosts == nil || hosts?.count == count, "Invalid state: one host a node")
        let nodeHosts = Dictionary(uniqueKeysWithValues: (hosts ?? []).enumerated().map { (UInt32($0.offset + 1), [$0.element]) })
        try certificates(directory: directory).prepareDevelopment(nodes: (1...UInt32(count)).map { $0 }, hosts: nodeHosts)
        let configs = try configurations(nodes: count, zones: zones, directory: directory, plaintext: plaintext, hosts: hosts).map { config in
            var traced = config
            traced.tracing = tracing
            return traced
        }
        let nodes = LocalNodes(directory: directory, configs: configs, executable: executable, logLevel: logLevel)
        nodes.openFilesMax = openFilesMax
        nodes.logFormat = logFormat
        nodes.diskStallLocks = diskStallLocks
        nodes.wrappers = wrappers
        announce(nodes)
        do {
            for config in nodes.configs {
                try nodes.launch(config.node)
            }
            launched(nodes)
            for config in nodes.configs {
                try await nodes.waitUntilServing(config.node)
            }
        } catch {
            nodes.stopAll()
            throw error
        }
        return nodes
    }

    /// The nodes an earlier `start` configured in `directory`, none running from this object
    /// yet: `launch` starts one again on its old configuration and data.
    static func configured(in directory: String, logLevel: String = "info", logFormat: LogOptions.Format = .text) throws -> LocalNodes {
        guard let earlier = try? NodeConfig.load(path: directory + "/n1.json"), let executable = Bundle.main.executablePath else {
            throw ValidationError("no node configurations in \(directory); start a colony there with `colony dev up`")
        }
        let configs = try configurations(nodes: earlier.nodes.count, directory: directory)
        let nodes = LocalNodes(directory: directory, configs: configs, executable: executable, logLevel: logLevel)
        nodes.logFormat = logFormat
        return nodes
    }

    /// One configuration per node, on free loopback ports, with TLS from the folder's
    /// certificates (none if `plaintext`), node `i` in zone `z((i - 1) mod zones + 1)` on rack
    /// `r((i - 1) / zones + 1)`; an earlier colony's addresses and domains are kept so its data
    /// stays reachable. With `hosts`, node `i` takes `hosts[i - 1]` and the ports
    /// `hostPorts` there (each host is the node's own, in a network namespace of its own).
    static func configurations(
        nodes: Int, zones: Int = 3, directory: String, plaintext: Bool = false, hosts: [String]? = nil
    ) throws -> [NodeConfig] {
        let certificates = Self.certificates(directory: directory)
        let tls = { (node: UInt32) in plaintext ? nil : certificates.files(for: .node(NodeID(node))) }
        if hosts == nil, let earlier = try? NodeConfig.load(path: directory + "/n1.json"), earlier.nodes.count == nodes {
            return earlier.nodes.map { address in
                var config = earlier
                config.node = address.node
                config.dataDirectory = directory + "/n\(address.node)"
                config.tls = tls(address.node)
                config.plaintext = plaintext ? true : nil
                return config
            }
        }
        let ports = try hosts.map { _ in Array(repeating: hostPorts, count: nodes).flatMap { $0 } } ?? FreePorts.take(3 * nodes)
        let addresses = (0..<nodes).map { index in
            let host = hosts?[index] ?? "127.0.0.1"
            return NodeAddress(
                node: UInt32(index + 1), peerAddress: "\(host):\(ports[3 * index])",
                clientAddress: "\(host):\(ports[3 * index + 1])", adminAddress: "\(host):\(ports[3 * index + 2])",
                zone: "z\(index % max(zones, 1) + 1)", rack: "r\(index / max(zones, 1) + 1)")
        }
        return addresses.map { address in
            NodeConfig(
                colony: NodeConfig.developmentColony, node: address.node, dataDirectory: directory + "/n\(address.node)", nodes: addresses,
                tls: tls(address.node), plaintext: plaintext ? true : nil)
        }
    }

    /// The peer, client and admin ports of a node on a host of its own.
    static let hostPorts = [7400, 7401, 7402]

    /// Starts (or restarts) the process of `node`, appending to its log.
    func launch(_ node: UInt32) throws {
        let config = configs[Int(node) - 1]
        let configPath = directory + "/n\(config.node).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(config).write(to: URL(fileURLWithPath: configPath))
        let logPath = directory + "/n\(config.node).log"
        if !FileManager.default.fileExists(atPath: logPath) {
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw ValidationError("cannot create the log file \(logPath)")
            }
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let process = Process()
        var command = [executable, "node", "--config", configPath, "--log-level", logLevel, "--log-format", logFormat.rawValue]
            + (diskStallLocks ? ["--test-disk-stall-lock", diskStallLock(of: config.node)] : [])
        if let openFilesMax {
            // The shell sets the limit and then becomes the node, so the node's pid is the child's.
            command = ["/bin/sh", "-c", "ulimit -n \(openFilesMax) && exec \"$0\" \"$@\""] + command
        }
        command = wrappers[config.node, default: []] + command
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = log
        process.standardError = log
        let exit = ProcessExit()
        process.terminationHandler = { _ in exit.happened() }
        try process.run()
        processes[config.node] = process
        pidsLock.withLock { _ = pids.insert(process.processIdentifier) }
        exits[config.node] = exit
    }

    /// Starts one more node, the next id, that joins the running colony: its configuration
    /// names only itself (on free ports, in `zone` on rack `rack`) and the `seeds`, and the
    /// other nodes' files are left as they are. Its certificate is issued by the folder's
    /// CA. Waits until it answers; recording it in the directory (`colony node join`) is the
    /// caller's step.
    func launchJoining(seeds: [UInt32], zone: String, rack: String) async throws -> NodeConfig {
        let id = UInt32(configs.count + 1)
        let ports = try FreePorts.take(3)
        let own = NodeAddress(
            node: id, peerAddress: "127.0.0.1:\(ports[0])", clientAddress: "127.0.0.1:\(ports[1])", adminAddress: "127.0.0.1:\(ports[2])",
            zone: zone, rack: rack)
        var config = configs[0]
        config.node = id
        config.dataDirectory = directory + "/n\(id)"
        config.nodes = [own] + seeds.map { configs[Int($0) - 1].own }
        if config.tls != nil {
            try Self.certificates(directory: directory).prepareDevelopment(nodes: [id])
            config.tls = Self.certificates(directory: directory).files(for: .node(NodeID(id)))
        }
        try config.validate()
        configs.append(config)
        try launch(id)
        try await waitUntilServing(id)
        return config
    }

    /// The lock file whose exclusive lock stalls `node`'s disk, when the nodes run with
    /// `diskStallLocks` (see `StallableDisk` in ColonyNode).
    func diskStallLock(of node: UInt32) -> String {
        directory + "/n\(node).stall"
    }

    /// The ids of the node processes started and not yet stopped; safe to read from any thread.
    var nodePids: [Int32] {
        pidsLock.withLock { pids.sorted() }
    }

    /// Waits, at most `timeout`, until `node` answers on its client port.
    func waitUntilServing(_ node: UInt32, timeout: Duration = .seconds(60)) async throws {
        let address = configs[Int(node) - 1].own.clientAddress
        let deadline = ContinuousClock.now + timeout
        while true {
            guard processes[node]?.isRunning == true else {
                throw ValidationError("node \(node) exited at start; see \(directory)/n\(node).log")
            }
            let client = try ColonyClient(nodes: [address], tls: clientTLS)
            let answered = (try? await client.listCells()) != nil
            await client.close()
            if answered { return }
            guard ContinuousClock.now < deadline else {
                throw ValidationError("node \(node) did not answer within \(timeout); see \(directory)/n\(node).log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends `signal` to `node`'s process and waits for it to end, without holding a thread.
    func signal(_ node: UInt32, _ signal: Int32) async {
        guard let process = processes.removeValue(forKey: node), let exit = exits.removeValue(forKey: node) else { return }
        kill(process.processIdentifier, signal)
        await exit.wait()
        pidsLock.withLock { _ = pids.remove(process.processIdentifier) }
    }

    /// Starts the control loop (`colony control run`) against these nodes, logging to
    /// `control.log` in the folder at `logLevel`; `passMilliseconds` paces its passes.
    func launchControl(passMilliseconds: Int = 200, logLevel: String = "info") throws {
        let logPath = directory + "/control.log"
        if !FileManager.default.fileExists(atPath: logPath) {
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw ValidationError("cannot create the log file \(logPath)")
            }
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let files = Self.certificates(directory: directory).files(for: .client(CertificateFolder.developmentClient))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "control", "run", "--nodes", clientAddresses.joined(separator: ","), "--ca", files.ca, "--cert", files.certificate,
            "--key", files.key, "--pass-milliseconds", String(passMilliseconds), "--log-level", logLevel, "--log-format", logFormat.rawValue,
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        control = process
    }

    /// Stops the control loop, if it runs (SIGTERM, then SIGKILL after 10 s).
    func stopControl() {
        guard let control else { return }
        Self.stop(pids: [control.processIdentifier])
        self.control = nil
    }

    /// Stops every node and the control loop with SIGTERM, and SIGKILL after 10 s.
    func stopAll() {
        Self.stop(pids: processes.values.map(\.processIdentifier) + (control.map { [$0.processIdentifier] } ?? []))
        processes = [:]
        pidsLock.withLock { pids = [] }
        exits = [:]
        control = nil
    }

    /// Stops processes by id: SIGTERM, then SIGKILL for any still alive after 10 s.
    @discardableResult
    static func stop(pids: [Int32]) -> [Int32] {
        for pid in pids where kill(pid, 0) == 0 {
            kill(pid, SIGTERM)
        }
        let deadline = Date().addingTimeInterval(10)
        var alive = pids.filter { isAlive($0) }
        while !alive.isEmpty, Date() < deadline {
            usleep(20_000)
            alive = alive.filter { isAlive($0) }
        }
        for pid in alive {
            kill(pid, SIGKILL)
        }
        return alive
    }

    /// Whether `pid` is a live process (reaping it if it is our exited child).
    static func isAlive(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        return kill(pid, 0) == 0
    }
}

/// The end of one child process, awaited by anyone, told by its termination handler.
private final class ProcessExit: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// The process ended: wakes every waiter.
    func happened() {
        let waiters = lock.withLock {
            ended = true
            defer { waiting = [] }
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the process has ended.
    func wait() async {
        await withCheckedContinuation { continuation in
            let done = lock.withLock {
                if !ended { waiting.append(continuation) }
                return ended
            }
            if done { continuation.resume() }
        }
    }
}
