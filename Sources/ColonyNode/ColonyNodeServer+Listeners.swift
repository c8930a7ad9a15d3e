import ColonyCore
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The node's three listening ports. On each, a `ConnectionGate` on the listening socket
/// admits or refuses every new connection before anything is made for it, and
/// `ConnectionDeadlines` closes a connection that does not prove itself in time or stays
/// idle: the limits hold before anyone is authenticated.
extension ColonyNodeServer {
    func listenForPeers(security: NodeSecurity) async throws {
        guard let address = HostPort(config.peerListenAddress) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let colony = config.colony
        let node = NodeID(config.node)
        let peers = peers
        let logger = logger
        let driver = driver
        let frameBytesMax = options.frameBytesMax
        let limits = options.peerConnections
        let connections = connections
        let revoked = authorizer.revokedNodes
        let written = formatWritten
        peerServer = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionGate(port: .peer, budget: connections))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if case .tls(let tls) = security {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls.current.peerServerContext))
                    }
                    try pipeline.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                    try pipeline.addHandler(ConnectionDeadlines(
                        port: .peer, greeting: .announced, handshakeTimeout: limits.handshakeTimeout, budget: connections))
                    let state = PeerConnectionState()
                    try pipeline.addHandler(ByteToMessageHandler(PeerFrameDecoder(frameBytesMax: frameBytesMax, connection: state)))
                    try pipeline.addHandler(PeerInboundHandler(
                        colony: colony, node: node, peers: peers, revoked: revoked, authenticatesPeers: security.authenticatesPeers,
                        connection: state, written: written, logger: logger,
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

    func listenForClients(security: NodeSecurity) async throws {
        guard let address = HostPort(config.clientListenAddress) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let service = ClientService(
            driver: driver, config: config, peers: peers, requestTimeout: options.requestTimeout,
            metrics: metrics, logger: logger, watchBatchChangesMax: options.watchBatchChangesMax,
            sessionOperationsMax: options.sessionOperationsMax, sessionsEnd: sessionsEnd, authorizer: authorizer,
            tracer: options.tracer)
        let control = ControlService(
            driver: driver, config: config, peers: peers, requestTimeout: options.requestTimeout, logger: logger, authorizer: authorizer)
        let bindAddress: GRPCNIOTransportCore.SocketAddress = address.host.contains(":")
            ? .ipv6(host: address.host, port: address.port)
            : .ipv4(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: bindAddress, transportSecurity: security.clientAPI, config: clientTransportConfig(), eventLoopGroup: group),
            services: [service, control, HealthService(stopped: stopped, stopping: sessionsEnd)], interceptors: [CallIDReader()])
        clientServer = server
        clientServing = Task { try await server.serve() }
        guard try await server.listeningAddress != nil else {
            throw NodeStartError.clientPortUnavailable(config.clientListenAddress)
        }
    }

    /// The gRPC transport of the client port, within the port's limits.
    private func clientTransportConfig() -> HTTP2ServerTransport.Posix.Config {
        let logger = logger
        let limits = options.clientConnections
        let connections = connections
        let identified = authorizer.connections
        let options = options
        return HTTP2ServerTransport.Posix.Config.defaults { transport in
            transport.connection.maxIdleTime = .nanoseconds(limits.idleTimeout.nanoseconds)
            transport.http2.maxConcurrentStreams = options.clientStreamsPerConnectionMax
            transport.rpc.maxRequestPayloadSize = options.clientMessageBytesMax
            transport.channelDebuggingCallbacks.onBindTCPListener = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionGate(port: .client, budget: connections), position: .first)
                }
            }
            transport.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Without TLS (tests only) the transport's idle timeout alone applies.
                    guard let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return }
                    let deadlines = ConnectionDeadlines(
                        port: .client, greeting: .tlsHandshake, handshakeTimeout: limits.handshakeTimeout, budget: connections)
                    try channel.pipeline.syncOperations.addHandler(deadlines, position: .after(tls))
                    let logging = ClientConnectionLogger(logger: logger)
                    try channel.pipeline.syncOperations.addHandler(logging, position: .after(deadlines))
                    try channel.pipeline.syncOperations.addHandler(ConnectionIdentityRecorder(connections: identified), position: .after(logging))
                }
            }
        }
    }

    /// Serves the admin endpoint: plain HTTP, or HTTP inside TLS requiring a certificate of
    /// the colony's CA, whose identity the policy does not revoke, when the configuration
    /// says `"adminTLS": true`.
    func listenForAdmin(security: NodeSecurity) async throws {
        guard let text = config.adminListenAddress else { return }
        let servesTLS = config.adminTLS == true
        guard let address = HostPort(text) else {
            preconditionFailure("Invalid state: a validated configuration has parsed addresses")
        }
        let driver = driver
        let metrics = metrics
        let stopped = stopped
        let routes = AdminRoutes(
            metrics: { driver.loop.flatSubmit { driver.takeCensus() }.map { metrics.render() } },
            health: { stopped.problem },
            status: { driver.loop.submit { driver.status() } })
        let logger = logger
        let limits = options.adminConnections
        let connections = connections
        let authorizer = servesTLS ? authorizer : nil
        adminServer = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionGate(port: .admin, budget: connections))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if servesTLS, let tls = security.adminContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try pipeline.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                    // With TLS too, the handshake and the whole request must come within the timeout.
                    try pipeline.addHandler(ConnectionDeadlines(
                        port: .admin, greeting: .announced, handshakeTimeout: limits.handshakeTimeout, budget: connections))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(AdminHTTPHandler(routes: routes, authorizer: authorizer, logger: logger))
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
    }
}
