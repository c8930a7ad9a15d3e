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
        if let running = DevColony.load(from: dir), running.processes.contains(where: { DevColony.isAlive($0.pid) }) {
            throw ValidationError("a dev colony is already running in \(dir); stop it with `colony dev down --dir \(dir)`")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let configs = try Self.configurations(nodes: nodes, directory: dir)
        guard let executable = Bundle.main.executablePath else { throw ValidationError("cannot find the colony executable") }
        var processes: [DevColony.Process] = []
        for config in configs {
            let configPath = dir + "/n\(config.node).json"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(config).write(to: URL(fileURLWithPath: configPath))
            let logPath = dir + "/n\(config.node).log"
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw ValidationError("cannot create the log file \(logPath)")
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["node", "--config", configPath]
            process.standardOutput = log
            process.standardError = log
            try process.run()
            processes.append(DevColony.Process(node: config.node, pid: process.processIdentifier, clientAddress: config.own.clientAddress))
        }
        try DevColony(processes: processes).save(to: dir)
        let client = try ColonyClient(nodes: processes.map(\.clientAddress))
        defer { Task { await client.close() } }
        let deadline = ContinuousClock.now + .seconds(30)
        for process in processes {
            while true {
                guard DevColony.isAlive(process.pid) else {
                    throw ValidationError("node \(process.node) exited at start; see \(dir)/n\(process.node).log")
                }
                let single = try ColonyClient(nodes: [process.clientAddress])
                let answered = (try? await single.listCells()) != nil
                await single.close()
                if answered { break }
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("node \(process.node) did not answer within 30 s; see \(dir)/n\(process.node).log")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        print("""
            a colony of \(nodes) nodes is up; data and logs in \(dir)
            client addresses: \(processes.map(\.clientAddress).joined(separator: ","))
            try:
              colony cell create demo
              colony put demo greeting hello
              colony get demo greeting
            stop it with: colony dev down
            """)
    }

    /// One configuration per node, on free loopback ports; an earlier colony's addresses are
    /// kept so its data stays reachable.
    static func configurations(nodes: Int, directory: String) throws -> [NodeConfig] {
        if let earlier = try? NodeConfig.load(path: directory + "/n1.json"), earlier.nodes.count == nodes {
            return earlier.nodes.map { address in
                var config = earlier
                config.node = address.node
                config.dataDirectory = directory + "/n\(address.node)"
                return config
            }
        }
        let ports = try FreePorts.take(2 * nodes)
        let addresses = (0..<nodes).map { index in
            NodeAddress(
                node: UInt32(index + 1), peerAddress: "127.0.0.1:\(ports[2 * index])",
                clientAddress: "127.0.0.1:\(ports[2 * index + 1])")
        }
        return addresses.map { address in
            NodeConfig(colony: "dev", node: address.node, dataDirectory: directory + "/n\(address.node)", nodes: addresses)
        }
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
        for process in colony.processes where DevColony.isAlive(process.pid) {
            kill(process.pid, SIGTERM)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while colony.processes.contains(where: { DevColony.isAlive($0.pid) }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        for process in colony.processes where DevColony.isAlive(process.pid) {
            print("node \(process.node) did not stop within 10 s; killing it")
            kill(process.pid, SIGKILL)
        }
        if purge {
            try FileManager.default.removeItem(atPath: dir)
            print("stopped \(colony.processes.count) nodes and deleted \(dir)")
        } else {
            print("stopped \(colony.processes.count) nodes; data stays in \(dir)")
        }
    }
}
