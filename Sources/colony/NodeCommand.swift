import ArgumentParser
import ColonyNode
import Dispatch
import Foundation
import Logging

/// `colony node --config FILE`: runs one node of a colony until SIGTERM or SIGINT.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of a colony: recover its replicas, talk to its peers, serve until stopped.",
        discussion: """
            The configuration file (JSON) names the colony, this node's id, its data directory, \
            every node of the colony with its peer and client addresses, and the node's TLS files \
            (made by `colony certs`); see NodeConfig in ColonyNode. \
            SIGTERM or SIGINT stops the node cleanly: it stops taking traffic and flushes its log.
            """
    )

    @Option(help: "The node's configuration file (JSON).")
    var config: String

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "colony.node") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        let nodeConfig: NodeConfig
        do {
            nodeConfig = try NodeConfig.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        let server: ColonyNodeServer
        do {
            server = try await ColonyNodeServer.start(config: nodeConfig, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.notice("signal \(number): stopping")
                Task { await server.stop() }
            }
            source.resume()
            return source
        }
        let failure = await server.waitUntilStopped()
        signals.forEach { $0.cancel() }
        if let failure {
            logger.critical("stopped: \(failure)")
            throw ExitCode.failure
        }
    }
}
