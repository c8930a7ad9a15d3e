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
    /// The nodes' configurations; a test may change one before starting its node.
    var configs: [NodeConfig]
    /// The advertised ports to join to the ports the nodes listen on, when they listen apart.
    let forwards: [(from: Int, to: Int)]
    let options: ColonyNodeServer.Options
    /// The nodes' logger, if the test reads their logs; else one set by COLONY_TEST_LOG.
    let logger: Logger?
    private(set) var servers: [UInt32: ColonyNodeServer] = [:]

    /// Nodes `1...nodes`; with `listenApart`, each binds its peer and client listeners on ports
    /// of their own (its `listen` section) rather than the advertised ones, which the test
    /// joins to them (`forwards`).
    init(nodes: Int, options: ColonyNodeServer.Options = ColonyNodeServer.Options(), logger: Logger? = nil, listenApart: Bool = false) throws {
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
        let listenPorts = listenApart ? try FreePorts.take(2 * nodes) : []
        configs = addresses.enumerated().map { (index: Int, address: NodeAddress) -> NodeConfig in
            let listen: ListenAddresses? = listenApart
                ? ListenAddresses(peer: "127.0.0.1:\(listenPorts[2 * index])", client: "127.0.0.1:\(listenPorts[2 * index + 1])") : nil
            return NodeConfig(
                colony: "test", node: address.node, dataDirectory: root + "/n\(address.node)", nodes: addresses,
                tls: certificates.files(for: .node(NodeID(address.node))), listen: listen)
        }
        var forwards: [(from: Int, to: Int)] = []
        for index in 0..<nodes where listenApart {
            forwards.append((from: ports[3 * index], to: listenPorts[2 * index]))
            forwards.append((from: ports[3 * index + 1], to: listenPorts[2 * index + 1]))
        }
        self.forwards = forwards
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

    /// How `run` retries: half a second per attempt, pauses from 10 ms doubling up to 100 ms,
    /// at most 20 s in all.
    static let retryPolicy = RetryPolicy(
        attemptTimeoutNanoseconds: 500_000_000, deadlineNanoseconds: 20_000_000_000, backoffBaseNanoseconds: 10_000_000,
        backoffMaxNanoseconds: 100_000_000)

    /// Sends `request` to `node`, following redirects and retrying what is retryable (with
    /// the same request id) as the client's `RetryMachine` decides, until the cell answers
    /// definitely, forgets the session, or the retries give up.
    func run(_ request: ClientRequest, startingAt node: UInt32) async throws -> ClientOutcome {
        var retry = RetryMachine<UInt32>(
            policy: Self.retryPolicy, isWrite: !request.operation.isRead, leader: nil, members: servers.keys.sorted(), seeds: [node])
        var budget = RetryBudget.unlimited
        var random = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        var elapsed: UInt64 { UInt64((ContinuousClock.now - started) / .nanoseconds(1)) }
        var action = retry.start(preferring: node, now: 0)
        var last: ClientOutcome?
        while true {
            switch action {
            case .send(let target, let timeout):
                let (outcome, answer) = await attempt(request, at: target, timeout: timeout)
                last = answer ?? last
                action = retry.attemptEnded(outcome, at: target, now: elapsed, budget: &budget, random: &random)
            case .wait(let pause, _):
                try await Task.sleep(for: .nanoseconds(pause))
                action = retry.waitEnded(now: elapsed)
            case .askDirectory, .keepWaiting:
                preconditionFailure("Invalid state: \(action) for a colony whose members are all known and awaited")
            case .finish(.succeeded), .finish(.failed), .finish(.notApplied(.sessionExpired)), .finish(.outcomeUnknown(.sessionExpired)):
                guard let last else { preconditionFailure("Invalid state: an answer without an outcome") }
                return last
            case .finish(.notApplied), .finish(.outcomeUnknown):
                throw LocalColonyError.noAnswer(last: last)
            }
        }
    }

    /// Sends `request` to node `target`: what came of it, and the node's answer if it gave one.
    private func attempt(_ request: ClientRequest, at target: UInt32, timeout: UInt64) async -> (AttemptOutcome<UInt32>, ClientOutcome?) {
        guard let server = servers[target] else { return (.connectionRefused, nil) }
        switch try? await server.submit(request, timeout: .nanoseconds(Int64(clamping: timeout))) {
        case .reply(let reply)?:
            return (AttemptOutcome(reply.outcome, target: \.rawValue), reply.outcome)
        case .noAnswer(.timedOut)?:
            return (.timedOut, nil)
        case .noAnswer(.stopping)?, .membershipChange?, .cellsCreated?, nil:
            return (.transportFailed(refusedByTLS: false), nil)
        }
    }
}

enum LocalColonyError: Error {
    case noAnswer(last: ClientOutcome?)
}

