import ColonyAuth
import ColonyCore
import ColonyWire
import Logging
import NIOCore
import NIOTLS

/// What the handlers of one inbound peer connection share: who the peer is, once its hello
/// was accepted. Confined to the connection's event loop.
final class PeerConnectionState {
    /// The node that said hello; nil until then.
    var sender: NodeID?
}

/// Cuts a peer connection's bytes into frames (header included, body not yet decoded),
/// checking each header before waiting for its body, so an absurd length is refused at once
/// instead of being buffered. Until the connection's hello is accepted, only a frame as
/// small as a hello may come: a stranger cannot make the node buffer a large body.
struct PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    /// The largest hello body: the longest colony name, the largest node id, the versions read,
    /// and room for the fields a later build adds.
    static let helloBodyBytesMax = PeerFrame.hello(
        colony: String(repeating: "c", count: NodeConfig.colonyNameBytesMax), node: NodeID(UInt32.max), reads: 1...UInt8.max
    ).encoded().count - PeerFrame.headerBytes + PeerFrame.helloLaterFieldsBytesMax

    let frameBytesMax: Int
    let connection: PeerConnectionState

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let headerBytes = buffer.getBytes(at: buffer.readerIndex, length: PeerFrame.headerBytes) else {
            return .needMoreData
        }
        let isHello = connection.sender == nil
        let header = try PeerFrameHeader(
            headerBytes, frameBytesMax: isHello ? Self.helloBodyBytesMax : frameBytesMax,
            read: isHello ? FormatLevel.helloRead(NodeBuild.formatsRead) : NodeBuild.formatsRead)
        guard let frame = buffer.readBytes(length: PeerFrame.headerBytes + header.bodyLength) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            throw PeerFrameError.truncatedHeader(bytes: min(buffer.readableBytes, PeerFrame.headerBytes - 1))
        }
        return .needMoreData
    }
}

/// The receiving end of a connection another node opened: the first frame must be a hello
/// from a node of this colony that the peer book holds (`PeerAddresses`) and whose identity
/// the policy does not revoke (`RevokedNodes`); every later frame is handed, still encoded,
/// to the node core with the sender's id, and the connection is closed if the core refuses
/// it, the sender has left the book (gone) or its identity was revoked since. With TLS, the
/// certificate must be a node's (a client's is refused as soon as the handshake ends) and
/// the hello must name the node it was issued to. Anything else closes the connection with
/// the reason logged; the node goes on serving. An accepted hello ends the connection's
/// handshake deadline (`ConnectionGreeted`).
final class PeerInboundHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = [UInt8]

    private let colony: String
    private let node: NodeID
    private let peers: PeerAddresses
    private let revoked: RevokedNodes
    private let authenticatesPeers: Bool
    private let connection: PeerConnectionState
    /// The format level this node writes, which a peer's hello says whether it reads.
    private let written: WrittenFormat
    private let deliver: @Sendable (NodeID, [UInt8], any Channel) -> Void
    private let logger: Logger

    init(
        colony: String, node: NodeID, peers: PeerAddresses, revoked: RevokedNodes, authenticatesPeers: Bool,
        connection: PeerConnectionState, written: WrittenFormat, logger: Logger,
        deliver: @escaping @Sendable (NodeID, [UInt8], any Channel) -> Void
    ) {
        self.written = written
        self.colony = colony
        self.node = node
        self.peers = peers
        self.revoked = revoked
        self.authenticatesPeers = authenticatesPeers
        self.connection = connection
        self.logger = logger
        self.deliver = deliver
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if authenticatesPeers, let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            switch PeerCertificate.identity(in: context.pipeline.syncOperations) {
            case .node?:
                break
            case .some(let other):
                return refuse(context, "it presented the certificate of \(other), and only nodes may connect to the peer port")
            case nil:
                return refuse(context, "it presented no certificate naming a node")
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let sender = connection.sender {
            // A peer the directory has since recorded as gone is cut off at its next frame.
            guard peers.isPeer(sender) else { return refuse(context, "node \(sender) left this node's peer book (it is gone)") }
            guard !revoked.contains(sender) else { return refuse(context, Self.revokedReason(sender)) }
            return deliver(sender, bytes, context.channel)
        }
        let frame: PeerFrame
        do {
            frame = try PeerFrame.decode(
                PeerFrameHeader(bytes, frameBytesMax: bytes.count, read: FormatLevel.helloRead(NodeBuild.formatsRead)),
                body: bytes.dropFirst(PeerFrame.headerBytes))
        } catch {
            return refuse(context, "\(error)")
        }
        switch frame {
        case .hello(let colony, let sender, let reads):
            guard colony == self.colony else {
                return refuse(context, "it belongs to colony \"\(colony)\", this node to \"\(self.colony)\"")
            }
            guard sender != node else {
                return refuse(context, "its hello names this node, \(sender)")
            }
            if authenticatesPeers {
                switch PeerCertificate.identity(in: context.pipeline.syncOperations) {
                case .node(let certified) where certified == sender:
                    break
                case .some(let certified):
                    return refuse(context, "its hello names node \(sender), but its certificate was issued to \(certified)")
                case nil:
                    return refuse(context, "its hello names node \(sender), but it presented no certificate naming a node")
                }
            }
            guard !revoked.contains(sender) else { return refuse(context, Self.revokedReason(sender)) }
            guard peers.isPeer(sender) else {
                // A node that joined since this node last read the directory: read it again
                // (`PeerBookRefresher` bounds how often); the peer retries with backoff.
                peers.wantRefresh()
                return refuse(context, "node \(sender) is not in this node's peer book (not yet joined, or gone); reading the directory's node records again")
            }
            connection.sender = sender
            context.triggerUserOutboundEvent(ConnectionGreeted(), promise: nil)
            logger.debug("peer connected", metadata: ["peer": "\(sender)", "reads": "\(reads.lowerBound)-\(reads.upperBound)"])
            if let unread = Self.unreadLevel(written: written.level, reads: reads) {
                logger.error("node \(sender) connected with a build that reads peer frame versions \(reads.lowerBound)-\(reads.upperBound), and this node writes \(unread): node \(sender) refuses every frame this node sends it; run a build there that reads it (`colony upgrade status`)")
            }
        case .messages, .createCell, .liveness, .traceContexts:
            refuse(context, "its first frame was not a hello")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refuse(context, HandshakeFailure(error).map { "\($0)" } ?? "\(error)")
    }

    /// The level this node writes when a peer whose hello says it reads `reads` does not read
    /// it; nil when it does.
    static func unreadLevel(written: FormatLevel, reads: ClosedRange<UInt8>) -> FormatLevel? {
        reads.contains(written.peerFrameVersion) ? nil : written
    }

    /// Why a revoked node's connection is refused or closed.
    static func revokedReason(_ sender: NodeID) -> String {
        "the identity of node \(sender) (\(Identity.nodePrefix)\(sender.rawValue)) is revoked by the authorization policy"
    }

    private func refuse(_ context: ChannelHandlerContext, _ reason: String) {
        logger.warning(
            "closing a peer connection: \(reason)",
            metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "peer": "\(connection.sender.map { "\($0)" } ?? "unknown")"])
        context.close(promise: nil)
    }
}

/// The sending end of a connection to a peer: it only writes, so any byte that arrives is a
/// protocol error and closes it.
final class PeerOutboundGuard: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        logger.warning("closing an outbound peer connection that sent bytes back", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("outbound peer connection failed: \(error)")
        context.close(promise: nil)
    }
}
