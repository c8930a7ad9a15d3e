import ColonyCore
import ColonyNodeCore
import ColonyWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// This node's sending side: one TCP connection to each peer node the peer book knows
/// (`PeerAddresses`), opened on first use and
/// reopened with capped backoff after it drops. With TLS, a connection is used only once
/// the handshake has shown the other end holds the certificate of the node it was opened to.
/// It writes the frames the node core encoded (every cell's messages to one peer in one turn
/// of the loop gathered in one frame, or a few); it never looks inside them. A peer whose
/// identity the policy revokes (`RevokedNodes`) is never dialled, and its link is closed at
/// the next frame for it, the frame dropped.
///
/// Messages for a peer that is unreachable, or whose connection is backed up, are dropped:
/// the replicas retransmit what matters, and a node never buffers without bound for a peer
/// that does not read.
///
/// Confined to the core event loop: every method must be called on it.
final class PeerLinks: @unchecked Sendable {
    private struct Link {
        var channel: (any Channel)?
        var connecting = false
        var retryAt = NIODeadline.uptimeNanoseconds(0)
        var backoff = PeerLinks.backoffMin
        /// Control frames waiting for the connection: unlike replica messages, nothing
        /// resends them.
        var control: [[UInt8]] = []
        /// The bytes of `control`.
        var controlBytes = 0
    }

    static let backoffMin = TimeAmount.milliseconds(50)
    static let backoffMax = TimeAmount.seconds(2)
    /// The bytes of control frames kept per peer while its connection is not up; the oldest
    /// are dropped beyond it. A bulk creation queues a frame of about 100 bytes per cell for
    /// each other member, and its first calls come before the connections are up: 64 MiB
    /// holds some 600,000 (a bound of 10,000 frames lost the creation of 56,000 cells of the
    /// 200,000 created at once by `colony bench scale`).
    static let controlQueueBytesMax = 64 << 20

    private let loop: any EventLoop
    private let hello: [UInt8]
    private let addresses: PeerAddresses
    private let revoked: RevokedNodes
    private let security: NodeSecurity
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private let metrics: NodeMetrics
    private var links: [NodeID: Link] = [:]
    private var closed = false

    /// Messages dropped because their peer was unreachable or backed up.
    private(set) var droppedMessages = 0

    init(
        loop: any EventLoop, colony: String, node: NodeID, addresses: PeerAddresses, revoked: RevokedNodes,
        security: NodeSecurity, handshakeTimeout: TimeAmount, metrics: NodeMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.loop = loop
        // At level 1, whatever the level written: every build reads a hello of level 1.
        self.hello = PeerFrame.hello(colony: colony, node: node, reads: NodeBuild.formatsRead.peerFrameVersions).encoded(level: .first)
        self.addresses = addresses
        self.revoked = revoked
        self.security = security
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
    }

    /// Writes the frames to their peers' connections, each peer's in order with one flush;
    /// a control frame for a peer whose connection is not up waits for it (at most
    /// `controlQueueBytesMax`), replica messages for such a peer are dropped.
    func send(_ frames: [OutgoingFrame]) {
        guard !closed, !frames.isEmpty else { return }
        var byPeer: [NodeID: [OutgoingFrame]] = [:]
        for frame in frames {
            byPeer[frame.to, default: []].append(frame)
        }
        for (peer, queued) in byPeer.sorted(by: { $0.key < $1.key }) {
            write(queued, to: peer)
        }
    }

    /// Sets each peer's `colony_peer_connected` and, where the kernel tells it (Linux), its
    /// `colony_peer_round_trip_seconds` from the connection's TCP_INFO; the future completes
    /// once every connection answered. Called when the metrics are read, never on a tick.
    func readConnections() -> EventLoopFuture<Void> {
        var readings: [EventLoopFuture<Void>] = []
        for (peer, counters) in metrics.peers {
            guard let channel = links[peer]?.channel, channel.isActive else {
                counters.connected.set(Int64(0))
                continue
            }
            counters.connected.set(Int64(1))
            #if os(Linux)
            if let socket = channel as? any SocketOptionProvider {
                readings.append(socket.getTCPInfo().map { info in
                    counters.roundTrip.set(Double(info.tcpi_rtt) / 1_000_000)
                }.recover { _ in })
            }
            #endif
        }
        return EventLoopFuture.andAllComplete(readings, on: loop)
    }

    /// Closes every connection; later sends are dropped.
    func close() {
        closed = true
        for link in links.values {
            link.channel?.close(promise: nil)
        }
        links = [:]
    }

    /// A frame came from `peer`, so it is up: a link to it waiting out its backoff reconnects
    /// at the next send rather than after the wait. (Messages to a restarted node are lost
    /// while the link is down, and a member that came back damaged hears no one else.)
    func heard(from peer: NodeID) {
        guard var link = links[peer], link.channel == nil, !link.connecting else { return }
        link.retryAt = .now()
        link.backoff = Self.backoffMin
        links[peer] = link
    }

    /// Closes the connection to `peer`, which left the peer book (it is gone) or whose
    /// identity is revoked (`why`), and drops what waited for it.
    func forget(_ peer: NodeID, why: String = "which is gone") {
        guard let link = links.removeValue(forKey: peer) else { return }
        link.channel?.close(promise: nil)
        if !link.control.isEmpty { logger.notice("dropping \(link.control.count) control frames for node \(peer), \(why)") }
    }

    private func write(_ frames: [OutgoingFrame], to peer: NodeID) {
        guard !revoked.contains(peer) else {
            drop(frames.reduce(0) { $0 + $1.messageCount })
            return forget(peer, why: "whose identity is revoked")
        }
        guard let channel = links[peer]?.channel, channel.isActive else {
            let control = frames.filter(\.isControl)
            drop(frames.reduce(0) { $0 + $1.messageCount })
            queueControl(control.map(\.bytes), for: peer)
            connectIfDue(peer)
            return
        }
        var messages = 0
        var written = 0
        var bytes = 0
        for frame in frames where frame.isControl || channel.isWritable {
            channel.write(ByteBuffer(bytes: frame.bytes), promise: nil)
            messages += frame.messageCount
            written += 1
            bytes += frame.bytes.count
        }
        drop(frames.reduce(0) { $0 + $1.messageCount } - messages)
        channel.flush()
        if let counters = metrics.peers[peer] {
            counters.framesSent.increment(by: Int64(written))
            counters.messagesSent.increment(by: Int64(messages))
            counters.bytesSent.increment(by: Int64(bytes))
        }
        if messages > 0 { metrics.peerFrameMessages.record(Double(messages)) }
    }

    /// Keeps control frames for `peer` until its connection is up; the oldest go beyond
    /// `controlQueueBytesMax`.
    private func queueControl(_ frames: [[UInt8]], for peer: NodeID) {
        guard !frames.isEmpty else { return }
        var link = links[peer] ?? Link()
        link.control.append(contentsOf: frames)
        link.controlBytes += frames.reduce(0) { $0 + $1.count }
        if link.controlBytes > Self.controlQueueBytesMax {
            var excess = 0
            while link.controlBytes > Self.controlQueueBytesMax, excess < link.control.count {
                link.controlBytes -= link.control[excess].count
                excess += 1
            }
            link.control.removeFirst(excess)
            logger.warning(
                "dropping \(excess) control frames for unreachable peer \(peer): \(link.control.count) frames of \(link.controlBytes) bytes are queued")
        }
        links[peer] = link
    }

    private func drop(_ count: Int) {
        guard count > 0 else { return }
        droppedMessages += count
        metrics.peerMessagesDropped.increment(by: Int64(count))
    }

    private func connectIfDue(_ peer: NodeID) {
        // A peer the book does not know yet keeps its control frames until it is learned.
        guard addresses.isPeer(peer), !revoked.contains(peer), let entry = addresses.address(of: peer), let address = HostPort(entry.peerAddress)
        else { return }
        var link = links[peer] ?? Link()
        guard !link.connecting, link.channel == nil, NIODeadline.now() >= link.retryAt else { return }
        link.connecting = true
        links[peer] = link
        let logger = logger
        let security = security
        let handshakeTimeout = handshakeTimeout
        let verified = loop.makePromise(of: (any Channel).self)
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    switch security {
                    case .plaintext:
                        break
                    case .tls(let tls):
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls.current.peerClientContext, serverHostname: nil))
                        try pipeline.addHandler(PeerServerCheck(
                            expected: peer, verified: verified, handshakeTimeout: handshakeTimeout, logger: logger))
                    }
                    try pipeline.addHandler(PeerOutboundGuard(logger: logger))
                }
            }
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                switch (result, security) {
                case (.failure(let error), _): verified.fail(error)
                case (.success(let channel), .plaintext): verified.succeed(channel)
                case (.success, .tls): break  // PeerServerCheck settles `verified` once TLS is done.
                }
            }
        verified.futureResult.whenComplete { result in
            self.loop.preconditionInEventLoop()
            self.connected(peer, result)
        }
    }

    private func connected(_ peer: NodeID, _ result: Result<any Channel, any Error>) {
        guard var link = links[peer] else {
            // Forgotten while it connected (the peer is gone).
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        link.connecting = false
        switch result {
        case .success(let channel):
            if closed {
                channel.close(promise: nil)
                return
            }
            link.channel = channel
            link.backoff = Self.backoffMin
            channel.write(ByteBuffer(bytes: hello), promise: nil)
            for frame in link.control {
                channel.write(ByteBuffer(bytes: frame), promise: nil)
            }
            link.control = []
            link.controlBytes = 0
            channel.flush()
            channel.closeFuture.whenComplete { _ in
                self.loop.execute { self.disconnected(peer, channel) }
            }
            logger.debug("connected to peer", metadata: ["peer": "\(peer)"])
        case .failure(let error):
            link.retryAt = .now() + link.backoff
            logger.debug("cannot reach peer: \(error); retrying in \(link.backoff)", metadata: ["peer": "\(peer)"])
            link.backoff = min(link.backoff * 2, Self.backoffMax)
        }
        links[peer] = link
    }

    private func disconnected(_ peer: NodeID, _ channel: any Channel) {
        guard var link = links[peer], link.channel === channel else { return }
        link.channel = nil
        link.retryAt = .now() + link.backoff
        links[peer] = link
    }
}
