import ArgumentParser
import ColonyClient
import ColonyControl
import ColonyNode
import Foundation

/// `colony dev up|down|stop|restart`: a local colony of real node processes on loopback.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Start or stop a local colony of node processes on loopback, or one of its nodes.",
        subcommands: [DevUpCommand.self, DevDownCommand.self, DevStopCommand.self, DevRestartCommand.self]
    )
}

/// `colony dev up`: writes a configuration per node, starts the processes, waits until each answers.
struct DevUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local colony: node processes on free loopback ports, data under one folder.",
        discussion: "Nodes are spread over --zones zones in turn, each on a rack of its own. The directory is made on nodes the placer chooses, and a control loop (`colony control run`) starts beside the nodes. Each node logs to DIR/nN.log, the control loop to DIR/control.log, at --log-level in --log-format. `colony dev down` stops them; the data stays for the next `dev up`."
    )

    @Option(help: "Nodes to start (3 to 99).")
    var nodes: Int = 9

    @Option(help: "Zones to spread the nodes over (1 to 9).")
    var zones: Int = 3

    @OptionGroup var folder: DevCommandFolder
    private var dir: String { folder.path }

    @OptionGroup var log: LogOptions

    @Option(help: "Trace the nodes' requests: spans to this OTLP/gRPC endpoint (http://HOST:PORT), written into each node's configuration.")
    var traceEndpoint: String?

    @Option(help: "With --trace-endpoint: the share of requests without a trace context that the nodes trace, 0 to 1.")
    var traceSampling: Double = 1

    @Flag(inversion: .prefixedNo, help: "Turn authorization on: the CLI's client (dev) is admin, the client app reads and writes the cells app-*.")
    var authorization = true

    func validate() throws {
        guard (3...99).contains(nodes) else { throw ValidationError("--nodes must be from 3 to 99") }
        guard (1...9).contains(zones) else { throw ValidationError("--zones must be from 1 to 9") }
        do {
            try tracing?.validate()
        } catch {
            throw ValidationError(error.reason.replacingOccurrences(of: "\"tracing.endpoint\"", with: "--trace-endpoint")
                .replacingOccurrences(of: "\"tracing.samplingRatio\"", with: "--trace-sampling"))
        }
    }

    /// The nodes' tracing section, if tracing was asked for.
    private var tracing: NodeTracing? {
        traceEndpoint.map { NodeTracing(endpoint: $0, samplingRatio: traceSampling) }
    }

    /// What `dev down` needs to stop `local`'s processes: each node's and the control loop's id.
    static func record(_ local: LocalNodes) -> DevColony {
        let processes = local.configs.compactMap { config in
            local.processes[config.node].map {
                DevColony.Process(node: config.node, pid: $0.processIdentifier, clientAddress: config.own.clientAddress)
            }
        }
        return DevColony(processes: processes, controlPid: local.control?.processIdentifier)
    }

    func run() async throws {
        if let running = DevColony.load(from: dir), running.processes.contains(where: { LocalNodes.isAlive($0.pid) }) {
            throw CommandFailure(.usage, "a dev colony is already running in \(dir); stop it with `colony dev down --dev-dir \(dir)`, or one node with `colony dev restart N`")
        }
        // Written as soon as the nodes run, so `dev down` finds them even if this command is
        // killed while it waits for them.
        let local = try await LocalNodes.start(
            count: nodes, directory: dir, zones: zones, logLevel: log.logLevel, logFormat: log.logFormat, tracing: tracing,
            launched: { [dir] in try? Self.record($0).save(to: dir) })
        let directoryRecord: PlacedCell
        do {
            directoryRecord = try await DirectoryInitialization.run(config: local.configs[0], replicas: nil, tls: local.clientTLS)
            if authorization {
                _ = try await DevAuthorization.enable(on: local)
            }
            try local.launchControl(logLevel: log.logLevel)
        } catch {
            local.stopAll()
            throw error
        }
        let record = Self.record(local)
        try record.save(to: dir)
        let zoneNames = Set(local.configs.map(\.own.zoneName)).sorted()
        // Commands reach a colony outside the default folder only when told where it is.
        let isDefault = dir == DevColony.defaultDirectory
        let folder = isDefault ? "" : " --dev-dir \(dir)"
        let certificates = LocalNodes.certificates(directory: dir).directory
        let identities = authorization
            ? "authorization is on: the commands run as client \(CertificateFolder.developmentClient) (admin); `--as \(CertificateFolder.applicationClient)` runs them as client \(CertificateFolder.applicationClient), which may read and write the cells \(DevAuthorization.applicationCells) only (certificates in \(certificates))"
            : "authorization is off: every certificate may do anything (`colony auth enable` turns it on)"
        print("""
            a colony of \(nodes) nodes in \(zoneNames.count) zones (\(zoneNames.joined(separator: ", "))) is up, with TLS; data, logs and certificates in \(dir)
            the directory is on nodes \(directoryRecord.placement.members.map(\.description).joined(separator: ",")); a control loop runs beside them (\(dir)/control.log)
            client addresses: \(record.processes.map(\.clientAddress).joined(separator: ","))
            admin endpoints (/status, /health, /metrics): \(local.configs.compactMap { $0.own.adminAddress.map { "http://\($0)" } }.joined(separator: " "))
            \(identities)
            try:
              colony cell create demo --near z1 --replicas 5\(folder)
              colony put demo greeting hello\(folder)
              colony get demo greeting\(folder)
              colony cell create app-1 --replicas 3\(folder); colony put app-1 greeting hello --as app\(folder)
              colony put demo greeting hi --as app\(folder)    # refused: app holds no grant on demo
              colony auth role list\(folder); colony auth whoami --as app\(folder)
              colony node drain 3\(folder); colony control status\(folder)
              colony placement report\(folder)
            stop or restart one node: colony dev stop 3\(folder); colony dev restart 3\(folder)
            stop it with: colony dev down\(folder)
            """)
    }
}

/// `colony dev down`: stops the local colony's processes with SIGTERM (SIGKILL after 10 s).
struct DevDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the local colony.")

    @OptionGroup var folder: DevCommandFolder
    private var dir: String { folder.path }

    @Flag(help: "Also delete the colony's data.")
    var purge = false

    func run() async throws {
        guard let colony = DevColony.load(from: dir) else {
            throw CommandFailure(.notFound, "no dev colony in \(dir)")
        }
        let killed = LocalNodes.stop(pids: colony.processes.map(\.pid) + (colony.controlPid.map { [$0] } ?? []))
        for pid in killed {
            print("process \(pid) did not stop within 10 s; killed it")
        }
        let stopped = "stopped \(colony.processes.count) nodes" + (colony.controlPid == nil ? "" : " and the control loop")
        if purge {
            try FileManager.default.removeItem(atPath: dir)
            print("\(stopped) and deleted \(dir)")
        } else {
            print("\(stopped); data stays in \(dir)")
        }
    }
}

/// The folder of the `colony dev` colony, for the dev commands: `--dev-dir` as every command
/// spells it, and `--dir`, their older spelling, hidden.
struct DevCommandFolder: ParsableArguments {
    @OptionGroup var devFolder: DevFolderOption

    @Option(name: .customLong("dir"), help: .hidden)
    var olderSpelling: String?

    /// The folder: --dev-dir, else --dir, else COLONY_DEV_DIR, else the default.
    var path: String {
        devFolder.devDir ?? olderSpelling ?? devFolder.path
    }
}
