import ArgumentParser
import ColonyNode
import Foundation
import Logging
import ServiceLifecycle

/// `colony node [run] --config FILE`: runs one node of a colony until SIGTERM or SIGINT.
struct NodeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one node of a colony: recover its replicas, talk to its peers, serve until stopped.",
        discussion: """
            The configuration file (JSON) names the colony, this node's id, its data directory, \
            every node of the colony with its peer, client and (optional) admin addresses, and the \
            node's TLS files (made by `colony certs`); see NodeConfig in ColonyNode. SIGTERM or SIGINT \
            stops the node cleanly: it stops taking requests, hands the leadership of its cells to \
            other members, flushes its log and exits. A node killed outright loses nothing it acknowledged.
            """
    )

    @Option(help: "The node's configuration file (JSON).")
    var config: String

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.logger(label: "colony.node")
        let nodeConfig: NodeConfig
        do {
            nodeConfig = try NodeConfig.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        if let (from, to) = OpenFileLimit.raiseToHard() {
            logger.info("raised the open file limit from \(from) to its hard limit \(to), for connections")
        }
        let server: ColonyNodeServer
        do {
            server = try await ColonyNodeServer.start(config: nodeConfig, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: NodeService(server: server, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("stopped: \(error)")
            throw ExitCode.failure
        }
    }
}

/// A running node as a service of the process: it runs until the node stops, and a graceful
/// shutdown of the process (SIGTERM, SIGINT) stops the node politely.
struct NodeService: Service {
    let server: ColonyNodeServer
    let logger: Logger

    func run() async throws {
        let server = server
        let logger = logger
        let failure = await withGracefulShutdownHandler {
            await server.waitUntilStopped()
        } onGracefulShutdown: {
            logger.notice("stopping: handing off leaderships, then flushing the log")
            Task { await server.stop() }
        }
        if let failure { throw NodeFailure(reason: failure) }
    }
}

/// Why a node stopped on its own.
struct NodeFailure: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
