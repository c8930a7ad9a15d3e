import ColonyCore
import ColonyWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// This node's sending side: one TCP connection to each peer node, opened on first use and
/// reopened with capped backoff after it drops. With TLS, a connection is used only once
/// the handshake has shown the other end holds the certificate of the node it was opened to. Every message for a peer handed over during
/// one turn of the core loop, whatever its cell, leaves in one frame (or a few, if they would
/// exceed the frame limit).
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
    }

    static let backoffMin = TimeAmount.milliseconds(50)
    static let backoffMax = TimeAmount.seconds(2)
    /// Control frames kept per peer while it is unreachable; older ones are dropped beyond it.
    static let controlQueueMax = 10_000

    private let loop: any EventLoop
    private let hello: [UInt8]
    private let addresses: [NodeID: HostPort]
    private let frameBytesMax: Int
    private let security: NodeSecurity
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private let metrics: NodeMetrics
    private var links: [NodeID: Link] = [:]
    private var outbox: [NodeID: [PeerMessage]] = [:]
    private var flushScheduled = false
    private var closed = false

    /// Messages dropped because their peer was unreachable or backed up.
    private(set) var droppedMessages = 0

    init(
        loop: any EventLoop, colony: String, node: NodeID, addresses: [NodeID: HostPort], frameBytesMax: Int,
        security: NodeSecurity, handshakeTimeout: TimeAmount, metrics: NodeMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.loop = loop
        self.hello = PeerFrame.hello(colony: colony, node: node).encoded()
        self.addresses = addresses
        self.frameBytesMax = frameBytesMax
        self.security = security
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
    }

    /// Queues a batch of messages for its peer; it leaves at the end of this loop turn.
    func send(_ batch: PeerBatch) {
        outbox[batch.to, default: []].append(contentsOf: batch.messages)
        scheduleFlush()
    }

    /// Sends a control frame to `peer` at once (ahead of queued messages), or as soon as the
    /// connection is up if it is not.
    func send(_ frame: PeerFrame, to peer: NodeID) {
        guard !closed else { return }
        if let channel = links[peer]?.channel, channel.isActive {
            write([frame.encoded()], count: 1, to: peer)
            return
        }
        var link = links[peer] ?? Link()
        if link.control.count >= Self.controlQueueMax {
            link.control.removeFirst()
            logger.warning("dropping a control frame for unreachable peer \(peer): \(Self.controlQueueMax) are queued")
        }
        link.control.append(frame.encoded())
        links[peer] = link
        connectIfDue(peer)
    }

    /// Closes every connection; later sends are dropped.
    func close() {
        closed = true
        for link in links.values {
            link.channel?.close(promise: nil)
        }
        links = [:]
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.execute { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        let pending = outbox
        outbox.removeAll(keepingCapacity: true)
        for (peer, messages) in pending.sorted(by: { $0.key < $1.key }) {
            write(frames(for: messages[...]), count: messages.count, to: peer)
        }
    }

    /// The frames that carry `messages`, each within the frame limit; a single message too
    /// big for any frame is dropped with a log line.
    private func frames(for messages: ArraySlice<PeerMessage>) -> [[UInt8]] {
        let frame = PeerFrame.messages(Array(messages)).encoded()
        if frame.count - PeerFrame.headerBytes <= frameBytesMax { return [frame] }
        guard messages.count > 1 else {
            logger.error("dropping a message for cell \(messages.first?.cell.name ?? "?"): \(frame.count) bytes exceed the frame limit of \(frameBytesMax)")
            drop(1)
            return []
        }
        let middle = messages.startIndex + messages.count / 2
        return frames(for: messages[..<middle]) + frames(for: messages[middle...])
    }

    private func write(_ frames: [[UInt8]], count: Int, to peer: NodeID) {
        guard !closed else { return }
        guard let channel = links[peer]?.channel, channel.isActive else {
            drop(count)
            connectIfDue(peer)
            return
        }
        guard channel.isWritable else {
            drop(count)
            return
        }
        for bytes in frames {
            channel.write(ByteBuffer(bytes: bytes), promise: nil)
        }
        channel.flush()
        metrics.peerFrames.increment(by: frames.count)
        metrics.peerFrameMessages.record(count)
    }

    private func drop(_ count: Int) {
        droppedMessages += count
        metrics.peerMessagesDropped.increment(by: count)
    }

    private func connectIfDue(_ peer: NodeID) {
        guard let address = addresses[peer] else { return }
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
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls.peerClientContext, serverHostname: nil))
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
        guard var link = links[peer] else { return }
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
