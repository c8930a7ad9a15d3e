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
            node's TLS files (made by `colony certs`); `colony node config-reference` lists every field. \
            Every node may share one file, each started with its own --node and --data-directory \
            (or COLONY_NODE_ID and COLONY_DATA_DIRECTORY, as a container sets them). SIGTERM or SIGINT \
            stops the node cleanly: it stops taking requests, hands the leadership of its cells to \
            other members, flushes its log and exits. A node killed outright loses nothing it acknowledged.
            """
    )

    @Option(help: "The node's configuration file (JSON); else \(NodeRunSettings.configVariable).")
    var config: String?

    @Option(help: "This node's id, in place of the file's \"node\" (one file for every node); else \(NodeRunSettings.nodeVariable).")
    var node: UInt32?

    @Option(help: "The node's data directory, in place of the file's; else \(NodeRunSettings.dataDirectoryVariable).")
    var dataDirectory: String?

    @OptionGroup var log: LogOptions

    @Option(help: "Testing only: hold every fsync of the log while another process holds an exclusive lock (flock) on this file, as `colony chaos` does to stall a disk. Refused unless the colony is named dev.")
    var testDiskStallLock: String?

    func run() async throws {
        let logger = log.logger(label: "colony.node")
        let settings = try NodeRunSettings(
            config: config, node: node, dataDirectory: dataDirectory, environment: ProcessInfo.processInfo.environment)
        let nodeConfig = try NodeConfig.loadForCommand(path: settings.configPath, node: settings.node, dataDirectory: settings.dataDirectory)
        if let (from, to) = OpenFileLimit.raiseToHard() {
            logger.info("raised the open file limit from \(from) to its hard limit \(to), for connections")
        }
        var options = ColonyNodeServer.Options()
        options.diskStallLock = testDiskStallLock
        // The exporter stops after the node (a group stops its services last to first), so
        // the spans of the node's last requests still leave.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let server: ColonyNodeServer
        do {
            if let tracing = nodeConfig.tracing {
                let backend = try TracingBackend.make(
                    tracing, serviceName: "colony-node", attributes: ["colony.colony": nodeConfig.colony, "colony.node": "n\(nodeConfig.node)"],
                    logger: logger)
                options.tracer = backend.tracer
                services.append(.init(service: backend.service))
                logger.info("tracing: spans to \(tracing.endpoint), new traces sampled at \(tracing.effectiveSamplingRatio)")
            }
            server = try await ColonyNodeServer.start(config: nodeConfig, options: options, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        services.append(.init(service: NodeService(server: server, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
