import ColonyClient
import ColonyCore
import ColonyNodeCore
import ColonyStorage
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One running node: it locks its data directory, recovers its replicas from it, listens for
/// peers, for clients (gRPC) and for the admin endpoint — each port within its connection
/// limits (`ConnectionLimits`) — drives the replicas with real time, and stores them in its
/// write-ahead log.
public final class ColonyNodeServer: @unchecked Sendable {
    /// The node's configuration.
    public let config: NodeConfig
    let options: Options
    let group: MultiThreadedEventLoopGroup
    let driver: NodeDriver
    private let storage: StorageWriter
    private let links: PeerLinks
    let logger: Logger
    let metrics: NodeMetrics
    /// The connections on the node's ports, and their limits.
    let connections: ConnectionBudget
    /// Who may do what: the policy the node enforces.
    let authorizer: Authorizer
    /// Reads the policy from the directory while the node runs.
    private var policyRefreshing: Task<Void, Never>?
    /// The format level the node writes, raised when the directory's is.
    let formatWritten: WrittenFormat
    /// Reads the format level from the directory while the node runs.
    private var formatRefreshing: Task<Void, Never>?
    /// Where the node's peers are: its configuration's nodes and those the directory records.
    let peers: PeerAddresses
    /// Reads the node records from the directory while the node runs.
    private var peerBookRefreshing: Task<Void, Never>?
    /// Polls the node's TLS files and takes up a changed, valid set.
    var tlsWatching: Task<Void, Never>?
    private let dataLock: DataDirectoryLock
    var peerServer: (any Channel)?
    var adminServer: (any Channel)?
    var clientServer: GRPCServer<HTTP2ServerTransport.Posix>?
    var clientServing: Task<Void, any Error>?
    /// Fired when the stop begins: client sessions end once their operations are answered.
    let sessionsEnd = StopSignal()
    let stopped = StopLatch()

    /// After a polite stop, how many cells this node still led when it went (0 when every
    /// cell took a new leader in time); nil before, or after a stop for a failure.
    public var cellsLedWhenStopped: Int? {
        handOffOutcome.withLock { $0 }
    }
    private let handOffOutcome = Mutex<Int?>(nil)

    private init(
        config: NodeConfig, options: Options, group: MultiThreadedEventLoopGroup, driver: NodeDriver, storage: StorageWriter,
        links: PeerLinks, peers: PeerAddresses, metrics: NodeMetrics, connections: ConnectionBudget,
        authorizer: Authorizer, formatWritten: WrittenFormat, dataLock: DataDirectoryLock, logger: Logger
    ) {
        self.peers = peers
        self.formatWritten = formatWritten
        self.authorizer = authorizer
        self.config = config
        self.options = options
        self.metrics = metrics
        self.group = group
        self.driver = driver
        self.storage = storage
        self.links = links
        self.connections = connections
        self.dataLock = dataLock
        self.logger = logger
    }

    /// Locks the node's data directory, recovers the node from it and starts it; returns
    /// once it listens. Nothing in the directory is read before the lock is held.
    public static func start(config: NodeConfig, options: Options = Options(), logger baseLogger: Logger) async throws -> ColonyNodeServer {
        try config.validate()
        if options.diskStallLock != nil, config.colony != NodeConfig.developmentColony {
            throw NodeStartError.testFaultsRefused(colony: config.colony)
        }
        let security = try NodeSecurity(config: config, defects: options.tlsDefects)
        var nodeLogger = baseLogger
        nodeLogger[metadataKey: "node"] = "n\(config.node)"
        let logger = nodeLogger
        let dataLock = try DataDirectoryLock.acquire(directory: config.dataDirectory)
        let server: ColonyNodeServer
        do {
            server = try await assemble(config: config, options: options, security: security, dataLock: dataLock, logger: logger)
        } catch {
            dataLock.release()
            throw error
        }
        do {
            try await server.listenForPeers(security: security)
            try await server.listenForClients(security: security)
            try await server.listenForAdmin(security: security)
            try server.startReadingPolicy()
            try server.startReadingPeerBook()
            server.startWatchingTLS(security)
            // Last: it may stop the node at its first read.
            try server.startReadingFormats()
        } catch {
            await server.stop()
            throw error
        }
        logger.info("node \(config.node) of colony \(config.colony): peers on \(config.peerListenAddress), clients on \(config.clientListenAddress), admin on \(config.adminListenAddress ?? "none"), hosting \(server.driver.host.replicaCount) replicas")
        server.connections.warnIfShared()
        return server
    }

    /// Recovers the replicas and makes the node's parts, its clock running; not listening yet.
    private static func assemble(
        config: NodeConfig, options: Options, security: NodeSecurity, dataLock: DataDirectoryLock, logger: Logger
    ) async throws -> ColonyNodeServer {
        let node = NodeID(config.node)
        let peers = PeerAddresses(keptPeerBook(config: config, logger: logger))
        let metrics = NodeMetrics(peers: peers.current.peers)
        let formatWritten = WrittenFormat(try keptFormatLevel(config: config, logger: logger))
        metrics.formatWritten(formatWritten.level)
        let (log, recovery) = try openLog(
            config: config, formatWritten: formatWritten, diskStallLock: options.diskStallLock, metrics: metrics, logger: logger)
        var core = NodeCore(
            node: node, durable: recovery.cells, damaged: Set(recovery.damaged.keys), options: options.replica,
            frameBytesMax: options.frameBytesMax, formatsRead: NodeBuild.formatsRead, seed: UInt64.random(in: 0...UInt64.max))
        core.raiseFormat(to: formatWritten.level)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let loop = group.next()
        core.announce(to: peers.current.peers)
        let connections = ConnectionBudget(
            limits: Dictionary(uniqueKeysWithValues: ListeningPort.allCases.map { ($0, options.connections(on: $0)) }),
            totalMax: max(0, DescriptorLimit.soft() - options.descriptorsReservedCount - peers.current.peers.count),
            logInterval: options.connectionLogInterval, metrics: metrics, logger: logger)
        let kept = options.authorizationDefects.contains(.policyNotKept) ? .read(.empty) : try keptPolicy(config: config, logger: logger)
        let authorizer = Authorizer(initial: kept, metrics: metrics, logger: logger, defects: options.authorizationDefects)
        let links = PeerLinks(
            loop: loop, colony: config.colony, node: node, addresses: peers, revoked: authorizer.revokedNodes, security: security,
            handshakeTimeout: options.peerConnections.handshakeTimeout, metrics: metrics, logger: logger)
        let box = ServerBox()
        let storage = StorageWriter(
            log: log, metrics: metrics,
            onDurable: { ticket in loop.execute { box.server?.driver.durable(through: ticket) } },
            onFailure: { reason in
                logger.critical("\(reason)")
                Task { await box.server?.stop(failure: reason) }
            })
        let driver = NodeDriver(
            loop: loop, core: core, tick: options.tick, storage: storage, links: links,
            watches: WatchBoard(watchesMax: options.watchesMax, perClientMax: options.watchesPerClientMax),
            epochLeadMax: options.epochLeadMax, metrics: metrics, logger: logger, tracer: options.tracer)
        let server = ColonyNodeServer(
            config: config, options: options, group: group, driver: driver, storage: storage, links: links, peers: peers,
            metrics: metrics, connections: connections, authorizer: authorizer, formatWritten: formatWritten, dataLock: dataLock,
            logger: logger)
        box.server = server
        storage.start()
        try await loop.submit { driver.start() }.get()
        return server
    }

    /// The policy the node kept when it last ran (`PolicyFile`), or `unread` when it kept
    /// none. A file that cannot be read stops the start: enforcing nothing in its place could
    /// open a colony whose authorization is on.
    private static func keptPolicy(config: NodeConfig, logger: Logger) throws -> EnforcedPolicy {
        guard let kept = try PolicyFile(directory: config.dataDirectory).load() else {
            logger.info("no authorization policy kept on disk: refusing clients' calls (UNAVAILABLE) until the directory first answers")
            return .unread
        }
        logger.info("enforcing the authorization policy kept on disk, version \(kept.version) (\(kept.policy.enabled ? "on" : "off")), until the directory answers")
        return .read(kept)
    }

    /// The format level the node last wrote (`FormatLevelFile`; level 1 when it kept none).
    /// A level this build does not read, or a file that cannot be read, stops the start: the
    /// data may be written in formats this build cannot read.
    private static func keptFormatLevel(config: NodeConfig, logger: Logger) throws -> FormatLevel {
        guard let kept = try FormatLevelFile(directory: config.dataDirectory).load() else { return .first }
        guard let level = FormatLevel(kept), NodeBuild.formatsRead.contains(level) else {
            throw NodeStartError.formatLevelUnread(kept: kept, read: NodeBuild.formatsRead.numbers)
        }
        if level > .first { logger.info("writing format \(level), as this node did when it last ran") }
        return level
    }

    /// The peer book of the node `config` describes, with the node records it kept on disk
    /// when it last ran (`PeerBookFile`). A file that cannot be read is reported and left out:
    /// the seed and the directory make the book again.
    private static func keptPeerBook(config: NodeConfig, logger: Logger) -> PeerBook {
        do {
            guard let kept = try PeerBookFile(directory: config.dataDirectory).load() else { return PeerBook(config: config) }
            logger.info("peer book: \(kept.count) node records kept on disk, until the directory answers")
            return PeerBook(config: config, recorded: kept)
        } catch {
            logger.error("ignoring the peer book kept on disk: \(error); knowing only the configuration's nodes until the directory answers")
            return PeerBook(config: config)
        }
    }

    /// This node's certificate, as a client of the other nodes presents it.
    private var ownClientTLS: ClientTLS {
        config.tls.map { .files(ca: $0.ca, certificate: $0.certificate, key: $0.key) } ?? .plaintext
    }

    /// Starts reading the node records from the directory into the peer book, through the
    /// known nodes' client ports, with this node's certificate.
    private func startReadingPeerBook() throws {
        var policy = ColonyClient.Policy()
        policy.deadline = options.peerBookRefreshInterval * 2
        let driver = driver
        let refresher = PeerBookRefresher(
            addresses: peers, client: try ColonyClient(nodes: peers.clientAddresses, tls: ownClientTLS, policy: policy),
            file: PeerBookFile(directory: config.dataDirectory), interval: options.peerBookRefreshInterval,
            gapMin: options.peerBookRefreshGapMin,
            changed: { added, removed in driver.loop.execute { driver.peersChanged(added: added, removed: removed) } },
            metrics: metrics, readsUnbounded: options.peerBookDefects.contains(.readsUnbounded), logger: logger)
        peerBookRefreshing = Task { await refresher.run() }
    }

    /// Starts reading the policy from the directory, through the other nodes' client ports,
    /// with this node's certificate.
    private func startReadingPolicy() throws {
        var policy = ColonyClient.Policy()
        policy.deadline = options.policyRefreshInterval * 2
        let client = try ColonyClient(nodes: peers.clientAddresses, tls: ownClientTLS, policy: policy)
        let refresher = PolicyRefresher(
            authorizer: authorizer, client: client,
            census: DirectoryCensus(addresses: { [peers] in peers.clientAddresses }, client: client, timeout: options.policyRefreshInterval),
            file: PolicyFile(directory: config.dataDirectory), interval: options.policyRefreshInterval, logger: logger)
        policyRefreshing = Task { await refresher.run() }
    }

    /// Starts reading the format level from the directory, through the other nodes' client
    /// ports, with this node's certificate.
    private func startReadingFormats() throws {
        var policy = ColonyClient.Policy()
        policy.deadline = options.policyRefreshInterval * 2
        let driver = driver
        let refresher = FormatLevelRefresher(
            client: try ColonyClient(nodes: peers.clientAddresses, tls: ownClientTLS, policy: policy), read: NodeBuild.formatsRead,
            written: formatWritten, file: FormatLevelFile(directory: config.dataDirectory),
            raise: { level in driver.loop.execute { driver.raiseFormat(to: level) } },
            stop: { [weak self] reason in Task { await self?.stop(failure: reason) } },
            metrics: metrics, interval: options.policyRefreshInterval, logger: logger)
        formatRefreshing = Task { await refresher.run() }
    }

    /// Opens the write-ahead log in the data directory, with the configured key, and
    /// recovers what it holds (the format levels this build reads); its new segments and
    /// snapshots are written in `formatWritten`'s level, its segments' fsyncs are timed into
    /// `metrics`, and held while another process holds `diskStallLock`, if given (testing only).
    private static func openLog(
        config: NodeConfig, formatWritten: WrittenFormat, diskStallLock: String?, metrics: NodeMetrics, logger: Logger
    ) throws -> (WriteAheadLog, Recovery) {
        var logOptions = WriteAheadLog.Options()
        logOptions.formatsRead = NodeBuild.formatsRead
        logOptions.formatWritten = formatWritten
        if let keyFile = config.keyFile {
            try KeyFileAccess.check(keyFile, acceptsReadableByOthers: config.keyFileReadableByOthers ?? false)
            logOptions.key = try StorageKey(file: keyFile)
        }
        let files: any Disk = try FileDisk(directory: config.dataDirectory)
        let disk = FsyncTimingDisk(try diskStallLock.map { try StallableDisk(files, lockPath: $0) } ?? files, fsyncs: metrics.logFsyncDuration)
        let (log, recovery) = try WriteAheadLog.open(disk: disk, options: logOptions, seed: UInt64.random(in: 0...UInt64.max))
        logger.info("recovery: \(recovery.description.split(separator: "\n").first ?? "")")
        for (cell, reason) in recovery.damaged.sorted(by: { $0.key < $1.key }) {
            logger.error("DAMAGED replica of cell \(cell.name): \(reason); it will not vote until its cell renews it from its peers")
        }
        return (log, recovery)
    }

    /// Creates a cell with `members` as its first configuration: this node tells every member.
    public func createCell(_ cell: CellID, members: [NodeID]) throws(ConfigurationError) {
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        let driver = driver
        driver.loop.execute { _ = driver.createCells([(cell, configuration)]) }
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
    /// it leads to another member (waiting at most `handOffTimeout`), ends its watches and
    /// client sessions (each once its operations in flight are answered), then stops peer
    /// traffic and the replicas' clock, flushes the log, releases its threads and unlocks its
    /// data directory. A stop for a `failure` (its log cannot write) skips the hand-off and
    /// stops the replicas and peer traffic first: what waits for the log is answered at once
    /// instead of holding the drain, and the peers stop hearing a leader that cannot write.
    /// The node's health says the failure while it stops. Only the first call acts.
    public func stop(failure: String? = nil) async {
        await stop(failure: failure, beforeClosingPorts: {})
    }

    /// `stop(failure:)`, running `beforeClosingPorts` once the client streams are drained and
    /// while the peer and admin ports are still open: a test looks at a stopping node there.
    func stop(failure: String?, beforeClosingPorts: @Sendable () async -> Void) async {
        guard stopped.begin(failure: failure) else { return }
        policyRefreshing?.cancel()
        formatRefreshing?.cancel()
        peerBookRefreshing?.cancel()
        tlsWatching?.cancel()
        let driver = driver
        let links = links
        clientServer?.beginGracefulShutdown()
        if failure != nil {
            try? await driver.loop.submit {
                driver.stop()
                links.close()
            }.get()
        } else {
            let deadline = NIODeadline.now() + options.handOffTimeout
            let started = ContinuousClock.now
            if let leading = try? await driver.loop.flatSubmit({ driver.handOffLeadership(deadline: deadline) }).get() {
                logger.notice("handed off leaderships in \(ContinuousClock.now - started); \(leading) cells still led here")
                handOffOutcome.withLock { $0 = leading }
            }
        }
        // Watches and sessions never end by themselves: end them, and cut any stream still
        // open after the drain timeout (a client that stopped reading).
        try? await driver.loop.submit { driver.endWatches() }.get()
        sessionsEnd.fire()
        await drainClientStreams()
        await beforeClosingPorts()
        try? await peerServer?.close().get()
        try? await adminServer?.close().get()
        try? await driver.loop.submit {
            driver.stop()
            links.close()
        }.get()
        storage.stopAfterFlushing()
        try? await group.shutdownGracefully()
        dataLock.release()
        logger.info("node stopped")
        stopped.finish()
    }

    /// Waits for the client server to end its streams, cutting them after `clientDrainTimeout`.
    private func drainClientStreams() async {
        guard let serving = clientServing else { return }
        let drainTimeout = options.clientDrainTimeout
        let cutter = Task {
            try await Task.sleep(nanoseconds: UInt64(max(drainTimeout.nanoseconds, 0)))
            serving.cancel()
        }
        _ = await serving.result
        cutter.cancel()
    }
}

/// Lets the storage thread's callbacks reach the server, which is made after the writer.
private final class ServerBox: @unchecked Sendable {
    var server: ColonyNodeServer?
}
