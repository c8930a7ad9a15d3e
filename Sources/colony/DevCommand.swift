import ArgumentParser
import ColonyClient
import ColonyNode
import Foundation

/// `colony dev up|down`: a local colony of real node processes on loopback.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Start or stop a local colony of node processes on loopback.",
        subcommands: [DevUpCommand.self, DevDownCommand.self]
    )
}

/// `colony dev up`: writes a configuration per node, starts the processes, waits until each answers.
struct DevUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local colony: node processes on free loopback ports, data under one folder.",
        discussion: "Each node logs to DIR/nN.log. `colony dev down` stops them; the data stays for the next `dev up`."
    )

    @Option(help: "Nodes to start (3 to 99).")
    var nodes: Int = 9

    @Option(help: "The colony's folder.")
    var dir: String = DevColony.defaultDirectory

    func validate() throws {
        guard (3...99).contains(nodes) else { throw ValidationError("--nodes must be from 3 to 99") }
    }

    func run() async throws {
        if let running = DevColony.load(from: dir), running.processes.contains(where: { LocalNodes.isAlive($0.pid) }) {
            throw ValidationError("a dev colony is already running in \(dir); stop it with `colony dev down --dir \(dir)`")
        }
        let local = try await LocalNodes.start(count: nodes, directory: dir, logLevel: "info")
        let processes = local.configs.compactMap { config in
            local.processes[config.node].map {
                DevColony.Process(node: config.node, pid: $0.processIdentifier, clientAddress: config.own.clientAddress)
            }
        }
        try DevColony(processes: processes).save(to: dir)
        print("""
            a colony of \(nodes) nodes is up, with TLS; data, logs and certificates in \(dir)
            client addresses: \(processes.map(\.clientAddress).joined(separator: ","))
            admin endpoints (/status, /health, /metrics): \(local.configs.compactMap { $0.own.adminAddress.map { "http://\($0)" } }.joined(separator: " "))
            try:
              colony cell create demo
              colony put demo greeting hello
              colony get demo greeting
            stop it with: colony dev down
            """)
    }
}

/// `colony dev down`: stops the local colony's processes with SIGTERM (SIGKILL after 10 s).
struct DevDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the local colony.")

    @Option(help: "The colony's folder.")
    var dir: String = DevColony.defaultDirectory

    @Flag(help: "Also delete the colony's data.")
    var purge = false

    func run() async throws {
        guard let colony = DevColony.load(from: dir) else {
            throw ValidationError("no dev colony in \(dir)")
        }
        let killed = LocalNodes.stop(pids: colony.processes.map(\.pid))
        for pid in killed {
            print("process \(pid) did not stop within 10 s; killed it")
        }
        if purge {
            try FileManager.default.removeItem(atPath: dir)
            print("stopped \(colony.processes.count) nodes and deleted \(dir)")
        } else {
            print("stopped \(colony.processes.count) nodes; data stays in \(dir)")
        }
    }
}
