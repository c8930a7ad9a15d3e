import ArgumentParser
import Foundation

/// `colony dev stop N`: stops one node of the local colony, as a crash test or a maintenance would.
struct DevStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop one node of the local colony (SIGTERM, SIGKILL after 10 s); `dev restart N` starts it again.")

    @Argument(help: "The node's id.") var node: UInt32
    @Flag(help: "Kill it with SIGKILL at once, as a power loss would.") var kill = false
    @OptionGroup var folder: DevCommandFolder

    func run() async throws {
        let dir = folder.path
        var colony = try DevColony.running(in: dir)
        let process = try colony.process(node, in: dir)
        guard LocalNodes.isAlive(process.pid) else {
            print("node \(node) is not running; start it with `colony dev restart \(node)`")
            return
        }
        if kill {
            Foundation.kill(process.pid, SIGKILL)
            _ = LocalNodes.stop(pids: [process.pid])
        } else if !LocalNodes.stop(pids: [process.pid]).isEmpty {
            print("node \(node) did not stop within 10 s; killed it")
        }
        colony.processes.removeAll { $0.node == node }
        try colony.save(to: dir)
        print("stopped node \(node) (process \(process.pid)); its data stays in \(dir)/n\(node)")
    }
}

/// `colony dev restart N`: stops one node of the local colony if it runs, and starts it again
/// on its configuration and data.
struct DevRestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Restart one node of the local colony on its data (start it if it is stopped), and wait until it serves.")

    @Argument(help: "The node's id.") var node: UInt32
    @OptionGroup var folder: DevCommandFolder
    @OptionGroup var log: LogOptions

    func run() async throws {
        let dir = folder.path
        var colony = try DevColony.running(in: dir)
        let local = try LocalNodes.configured(in: dir, logLevel: log.logLevel, logFormat: log.logFormat)
        guard (1...UInt32(local.configs.count)).contains(node) else {
            throw CommandFailure(.notFound, "the dev colony in \(dir) has nodes 1 to \(local.configs.count), not \(node)")
        }
        if let running = colony.processes.first(where: { $0.node == node }), LocalNodes.isAlive(running.pid) {
            LocalNodes.stop(pids: [running.pid])
        }
        try local.launch(node)
        guard let process = local.processes[node] else { preconditionFailure("Invalid state: node \(node) launched without a process") }
        colony.processes.removeAll { $0.node == node }
        colony.processes.append(DevColony.Process(node: node, pid: process.processIdentifier, clientAddress: local.configs[Int(node) - 1].own.clientAddress))
        colony.processes.sort { $0.node < $1.node }
        try colony.save(to: dir)
        try await local.waitUntilServing(node)
        print("node \(node) serves again (process \(process.processIdentifier)); log: \(dir)/n\(node).log")
    }
}

extension DevColony {
    /// The colony `dev up` recorded in `directory`; fails when there is none.
    static func running(in directory: String) throws -> DevColony {
        guard let colony = load(from: directory) else {
            throw CommandFailure(.notFound, "no dev colony in \(directory); start one with `colony dev up`")
        }
        return colony
    }

    /// The recorded process of `node`; fails when the colony has no such node running.
    func process(_ node: UInt32, in directory: String) throws -> Process {
        guard let process = processes.first(where: { $0.node == node }) else {
            let known = processes.map { String($0.node) }.joined(separator: ",")
            throw CommandFailure(.notFound, "node \(node) of the dev colony in \(directory) is not running (running: \(known.isEmpty ? "none" : known))")
        }
        return process
    }
}
