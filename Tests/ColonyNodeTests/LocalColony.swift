import ColonyClient
import ColonyCore
import Foundation
import Logging
import NIOCore
@testable import ColonyNode
@testable import colony

/// Nodes of one colony started in this process on free loopback ports, each with a data
/// directory of its own under one temporary folder, talking mutual TLS with certificates from
/// a development CA in that folder. A test drives it from one task at a time (its helpers may
/// await it from a child task while the test waits for them).
final class LocalColony: @unchecked Sendable {
    let root: String
    let certificates: CertificateFolder
    let configs: [NodeConfig]
    let options: ColonyNodeServer.Options
    /// The nodes' logger, if the test reads their logs; else one set by COLONY_TEST_LOG.
    let logger: Logger?
    private(set) var servers: [UInt32: ColonyNodeServer] = [:]

    init(nodes: Int, options: ColonyNodeServer.Options = ColonyNodeServer.Options(), logger: Logger? = nil) throws {
        self.options = options
        self.logger = logger
        let root = NSTemporaryDirectory() + "colony-node-test-\(UUID().uuidString)"
        self.root = root
        let certificates = CertificateFolder(directory: root + "/certs")
        try certificates.prepareDevelopment(nodes: (1...UInt32(nodes)).map { $0 })
        self.certificates = certificates
        let ports = try FreePorts.take(3 * nodes)
        let addresses = (0..<nodes).map { index in
            NodeAddress(
                node: UInt32(index + 1), peerAddress: "127.0.0.1:\(ports[3 * index])",
                clientAddress: "127.0.0.1:\(ports[3 * index + 1])", adminAddress: "127.0.0.1:\(ports[3 * index + 2])")
        }
        configs = addresses.map { address in
            NodeConfig(
                colony: "test", node: address.node, dataDirectory: root + "/n\(address.node)", nodes: addresses,
                tls: certificates.files(for: .node(NodeID(address.node))))
        }
    }

    deinit {
        // A test that ended early leaves its nodes running: stop them, then clear the folder.
        let servers = Array(servers.values)
        let root = root
        Task {
            for server in servers { await server.stop() }
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// Stops every node and removes the data.
    func shutdown() async {
        for node in servers.keys.sorted() { await stop(node) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The client TLS of the development client certificate.
    var clientTLS: ClientTLS {
        let files = certificates.files(for: .client(CertificateFolder.developmentClient))
        return .files(ca: files.ca, certificate: files.certificate, key: files.key)
    }

    func start(_ node: UInt32) async throws {
        if let logger {
            servers[node] = try await ColonyNodeServer.start(config: configs[Int(node) - 1], options: options, logger: logger)
            return
        }
        // COLONY_TEST_LOG=debug shows the nodes' logs when a test needs looking into.
        let level = ProcessInfo.processInfo.environment["COLONY_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
        var logger = Logger(label: "test") { label in
            guard level != nil else { return SwiftLogNoOpLogHandler() }
            return StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = level ?? .critical
        servers[node] = try await ColonyNodeServer.start(config: configs[Int(node) - 1], options: options, logger: logger)
    }

    func startAll() async throws {
        for config in configs { try await start(config.node) }
    }

    func stop(_ node: UInt32) async {
        await servers.removeValue(forKey: node)?.stop()
    }

    /// Sends `request` to `node`, following redirects and retrying what is retryable (with
    /// the same request id), until the cell answers definitely or `attempts` run out.
    func run(_ request: ClientRequest, startingAt node: UInt32, attempts: Int = 200) async throws -> ClientOutcome {
        var target = node
        var last: ClientOutcome?
        for _ in 0..<attempts {
            guard let server = servers[target] else { break }
            guard case .reply(let reply)? = try? await server.submit(request, timeout: .milliseconds(500)) else {
                target = next(after: target)
                continue
            }
            let outcome = reply.outcome
            last = outcome
            switch outcome {
            case .completed, .rejected, .sessionExpired:
                return outcome
            case .redirect(let leader, _):
                if let leader, servers[leader.rawValue] != nil { target = leader.rawValue } else { target = next(after: target) }
                // A client backs off before retrying; the retries are bounded by `attempts`.
                try await Task.sleep(for: .milliseconds(20))
            case .staleEpoch, .unavailable:
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw LocalColonyError.noAnswer(last: last)
    }

    private func next(after node: UInt32) -> UInt32 {
        let running = servers.keys.sorted()
        return running.first { $0 > node } ?? running.first ?? node
    }
}

enum LocalColonyError: Error {
    case noAnswer(last: ClientOutcome?)
}

