import ColonyCore
import ColonyNodeCore
import ColonyStorage
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import NIOSSL

/// One running node: it recovers its replicas from its data directory, listens for peers and
/// for clients (gRPC), drives the replicas with real time, and stores them in its
/// write-ahead log.
public final class ColonyNodeServer: @unchecked Sendable {
    /// Tunables of a running node.
    public struct Options: Sendable {
        /// How often every replica ticks.
        public var tick = TimeAmount.milliseconds(10)
        /// The largest peer frame body accepted.
        public var frameBytesMax = 16 * 1024 * 1024
        /// How long a new peer connection may take to say hello; also how long a peer this
        /// node connects to may take to finish the TLS handshake.
        public var helloTimeout = TimeAmount.seconds(5)
        /// Options of every replica.
        public var replica = ReplicaOptions()
        /// How long a client request may wait for its cell before the reply says `UNAVAILABLE`.
        public var requestTimeout = TimeAmount.seconds(5)
        /// How long a stopping node waits for its cells to take new leaders before it goes.
        public var handOffTimeout = TimeAmount.seconds(3)
        /// The most watches the node serves at once; more are refused as `UNAVAILABLE`.
        public var watchesMax = 1_000
        /// The most changes a watch is handed at once: its whole buffer on the node, since it
        /// gets the next ones only after writing these out.
        public var watchBatchChangesMax = 64
        /// The most operations one client session runs at a time; beyond it the node stops
        /// reading that session until some finish.
        public var sessionOperationsMax = 1_024
        /// How long a stopping node waits for its client streams to end before cutting them.
        public var clientDrainTimeout = TimeAmount.seconds(5)

        /// The defaults.
        public init() {}
    }

    /// The node's configuration.
    public let config: NodeConfig
    private let handOffTimeout: TimeAmount
    let group: MultiThreadedEventLoopGroup
    let driver: NodeDriver
    private let storage: StorageWriter
    private let links: PeerLinks
    private let logger: Logger
    private let metrics: NodeMetrics
    private var peerServer: (any Channel)?
    private var adminServer: (any Channel)?
    private var clientServer: GRPCServer<HTTP2ServerTransport.Posix>?
    private var clientServing: Task<Void, any Error>?
    private var clientDrainTimeout = TimeAmount.seconds(5)
    private let stopped = StopLatch()

    /// What recovery found when the node started.
    public let recovery: Recovery

    /// After a polite stop, how many cells this node still led when it went (0 when every
    /// cell took a new leader in time); nil before, or after a stop for a failure.
    public var cellsLedWhenStopped: Int? {
        handOffOutcome.withLock { $0 }
    }
    private let handOffOutcome = Mutex<Int?>(nil)

    private init(
        config: NodeConfig, group: MultiThreadedEventLoopGroup, driver: NodeDriver, storage: StorageWriter,
        links: PeerLinks, recovery: Recovery, metrics: NodeMetrics, options: Options, logger: Logger
    ) {
        self.config = config
        self.handOffTimeout = options.handOffTimeout
        self.metrics = metrics
        self.group = group
        self.driver = driver
        self.storage = storage
        self.links = links
        self.recovery = recovery
        self.logger = logger
    }

    /// Recovers the node from its data directory and starts it; returns once it listens.
    public static func start(config: NodeConfig, options: Options = Options(), logger baseLogger: Logger) async throws -> ColonyNodeServer {
        try config.validate()
        let security = try NodeSecurity(config: config)
        var nodeLogger = baseLogger
        nodeLogger[metadataKey: "node"] = "n\(config.node)"
        let logger = nodeLogger
        let node = NodeID(config.node)
        var logOptions = WriteAheadLog.Options()
        if let keyFile = config.keyFile {
            logOptions.key = try StorageKey(file: keyFile)
        }
        let disk = try FileDisk(directory: config.dataDirectory)
        let (log, recovery) = try WriteAheadLog.open(disk: disk, options: logOptions, seed: UInt64.random(in: 0...UInt64.max))
        logger.info("recovery: \(recovery.description.split(separator: "\n").first ?? "")")
        for (cell, reason) in recovery.damaged.sorted(by: { $0.key < $1.key }) {
            logger.error("DAMAGED replica of cell \(cell.name): \(reason); it will not vote until its cell renews it from its peers")
        }
        let core = NodeCore(
            node: node, durable: recovery.cells, damaged: Set(recovery.damaged.keys), options: options.replica,
            frameBytesMax: options.frameBytesMax, seed: UInt64.random(in: 0...UInt64.max))

        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let loop = group.next()
        var peers: [NodeID: HostPort] = [:]
        for entry in config.nodes where entry.node != config.node {
            peers[NodeID(entry.node)] = HostPort(entry.peerAddress)
        }
        let metrics = NodeMetrics()
        let links = PeerLinks(
            loop: loop, colony: config.colony, node: node, addresses: peers, security: security,
            handshakeTimeout: options.helloTimeout, metrics: metrics, logger: logger)
        let box = ServerBox()
        let storage = StorageWriter(
            log: log, metrics: metrics,
            onDurable: { ticket in loop.execute { box.server?.driver.durable(through: ticket) } },
            onFailure: { reason in
                logger.critical("\(reason)")
                Task { await box.server?.stop(failure: reason) }
            })
        let driver = NodeDriver(
            loop: loop, core: core, tick: options.tick, storage: storage, links: links, watchesMax: options.watchesMax,
            metrics: metrics, logger: logger)
        let server = ColonyNodeServer(
            config: config, group: group, driver: driver, storage: storage, links: links, recovery: recovery, metrics: metrics,
            options: options, logger: logger)
        server.clientDrainTimeout = options.clientDrainTimeout
        box.server = server
        storage.start()
        try await loop.submit { driver.start() }.get()
        do {
            try await server.listenForPeers(options: options, known: Set(peers.keys), security: security)
            try await server.listenForClients(options: options, security: security)
            try await server.listenForAdmin()
        } catch {
            await server.stop()
            throw error
        }
        logger.info("node \(node) of colony \(config.colony): peers on \(config.own.peerAddress), clients on \(config.own.clientAddress), admin on \(config.own.adminAddress ?? "none"), hosting \(core.host.replicaCount) replicas")
        return server
    }

    private func listenForPeers(options: Options, known: Set<NodeID>, security: NodeSecurity) async throws {
        guard let address = HostPort(config.own.peerAddress) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let colony = config.colony
        let node = NodeID(config.node)
        let logger = logger
        let driver = driver
        let frameBytesMax = options.frameBytesMax
        let helloTimeout = options.helloTimeout
        peerServer = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .tls(let tls) = security {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.peerServerContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PeerFrameDecoder(frameBytesMax: frameBytesMax)))
                    try channel.pipeline.syncOperations.addHandler(PeerInboundHandler(
                        colony: colony, node: node, knownNodes: known, authenticatesPeers: security.authenticatesPeers,
                        helloTimeout: helloTimeout, logger: logger,
                        deliver: { sender, frame, channel in
                            driver.loop.execute {
                                if !driver.receive(frame: frame[...], from: sender) { channel.close(promise: nil) }
                            }
                        }))
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
    }

    private func listenForClients(options: Options, security: NodeSecurity) async throws {
        guard let address = HostPort(config.own.clientAddress) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let service = ClientService(
            driver: driver, config: config, requestTimeout: options.requestTimeout,
            metrics: metrics, logger: logger, watchBatchChangesMax: options.watchBatchChangesMax,
            sessionOperationsMax: options.sessionOperationsMax)
        let control = ControlService(driver: driver, config: config, requestTimeout: options.requestTimeout, logger: logger)
        let bindAddress: GRPCNIOTransportCore.SocketAddress = address.host.contains(":")
            ? .ipv6(host: address.host, port: address.port)
            : .ipv4(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)
        let logger = logger
        let transportConfig = HTTP2ServerTransport.Posix.Config.defaults { transport in
            transport.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return }
                    try channel.pipeline.syncOperations.addHandler(ClientConnectionLogger(logger: logger), position: .after(tls))
                }
            }
        }
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: bindAddress, transportSecurity: security.clientAPI, config: transportConfig, eventLoopGroup: group),
            services: [service, control])
        clientServer = server
        clientServing = Task { try await server.serve() }
        guard try await server.listeningAddress != nil else {
            throw NodeStartError.clientPortUnavailable(config.own.clientAddress)
        }
    }

    private func listenForAdmin() async throws {
        guard let text = config.own.adminAddress else { return }
        guard let address = HostPort(text) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let driver = driver
        let metrics = metrics
        let stopped = stopped
        let routes = AdminRoutes(
            metrics: { driver.loop.submit { driver.takeCensus() }.map { metrics.render() } },
            health: { stopped.isBegun ? "the node is stopping" : nil },
            status: { driver.loop.submit { driver.status() } })
        let logger = logger
        adminServer = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(routes: routes, logger: logger))
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
    }

    /// Creates a cell with `members` as its first configuration: this node tells every member.
    public func createCell(_ cell: CellID, members: [NodeID]) throws(ConfigurationError) {
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        let driver = driver
        driver.loop.execute { driver.createCell(cell, configuration: configuration) }
    }

    /// Hands a client request to the node; see `NodeDriver.submit`.
    func submit(_ request: ColonyCore.ClientRequest, timeout: TimeAmount) async throws -> NodeAnswerOutcome {
        try await driver.ask(request, timeout: timeout)
    }

    /// The node's current status.
    public func status() async throws -> NodeStatus {
        try await driver.currentStatus()
    }

    /// Waits until the node has stopped; returns the reason if it stopped on a failure.
    public func waitUntilStopped() async -> String? {
        await stopped.wait()
    }

    /// Stops the node: it stops taking client requests, hands the leadership of every cell
    /// it leads to another member (waiting at most `handOffTimeout`), then stops peer traffic
    /// and the replicas' clock, flushes the log and releases its threads. A stop for a
    /// `failure` skips the hand-off. Only the first call acts.
    public func stop(failure: String? = nil) async {
        guard stopped.begin() else { return }
        let driver = driver
        let links = links
        clientServer?.beginGracefulShutdown()
        if failure == nil {
            let deadline = NIODeadline.now() + handOffTimeout
            let started = ContinuousClock.now
            if let leading = try? await driver.loop.flatSubmit({ driver.handOffLeadership(deadline: deadline) }).get() {
                logger.notice("handed off leaderships in \(ContinuousClock.now - started); \(leading) cells still led here")
                handOffOutcome.withLock { $0 = leading }
            }
        }
        // Watch streams never end by themselves: end them, and cut any stream still open
        // after the drain timeout (a watcher that stopped reading).
        try? await driver.loop.submit { driver.endWatches() }.get()
        if let serving = clientServing {
            let drainTimeout = clientDrainTimeout
            let cutter = Task {
                try await Task.sleep(nanoseconds: UInt64(max(drainTimeout.nanoseconds, 0)))
                serving.cancel()
            }
            _ = await serving.result
            cutter.cancel()
        }
        try? await peerServer?.close().get()
        try? await adminServer?.close().get()
        try? await driver.loop.submit {
            driver.stop()
            links.close()
        }.get()
        storage.stopAfterFlushing()
        try? await group.shutdownGracefully()
        logger.info("node stopped")
        stopped.finish(failure)
    }
}

/// Why a node could not start, beyond its configuration and storage errors.
public enum NodeStartError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The client port could not be opened.
    case clientPortUnavailable(String)

    public var description: String {
        switch self {
        case .clientPortUnavailable(let address):
            return "cannot listen for clients on \(address); is another process using it?"
        }
    }
}

/// Lets the storage thread's callbacks reach the server, which is made after the writer.
private final class ServerBox: @unchecked Sendable {
    var server: ColonyNodeServer?
}

/// Marks a node's stop: begun once, finished once, awaited by anyone.
private final class StopLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var begun = false
    private var finished = false
    private var failure: String?
    private var waiting: [CheckedContinuation<String?, Never>] = []

    /// Whether the stop has begun.
    var isBegun: Bool {
        lock.withLock { begun }
    }

    /// Claims the stop; false if another caller already did.
    func begin() -> Bool {
        lock.withLock {
            if begun { return false }
            begun = true
            return true
        }
    }

    /// Marks the stop done and wakes every waiter.
    func finish(_ failure: String?) {
        let waiters = lock.withLock {
            self.failure = failure
            finished = true
            defer { waiting = [] }
            return waiting
        }
        for waiter in waiters { waiter.resume(returning: failure) }
    }

    /// Waits for the stop; returns its failure, if any.
    func wait() async -> String? {
        await withCheckedContinuation { continuation in
            let done: String?? = lock.withLock {
                if finished { return .some(failure) }
                waiting.append(continuation)
                return .none
            }
            if case .some(let failure) = done { continuation.resume(returning: failure) }
        }
    }
}
