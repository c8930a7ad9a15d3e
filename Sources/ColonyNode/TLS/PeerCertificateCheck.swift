import ColonyCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import X509

/// The identity of the certificate the other end of a TLS connection presented, read once
/// the handshake has verified it against the colony's CA.
enum PeerCertificate {
    /// The presented certificate's identity; nil if there is no TLS, no certificate, or
    /// the certificate names no identity.
    static func identity(in pipeline: ChannelPipeline.SynchronousOperations) -> CertificateIdentity? {
        presented(in: pipeline).flatMap(CertificateIdentity.init(certificate:))
    }

    /// The certificate the other end presented; nil if there is no TLS or no certificate.
    static func presented(in pipeline: ChannelPipeline.SynchronousOperations) -> Certificate? {
        guard let presented = try? pipeline.nioSSL_peerCertificate() else { return nil }
        return try? Certificate(derEncoded: presented.toDERBytes())
    }
}

/// On a connection this node opened to `expected`: once TLS has verified the other end's
/// certificate against the CA, checks that it was issued to `expected`, and only then hands
/// the connection over (through `verified`), so no frame leaves before. A handshake that
/// fails or does not finish within `handshakeTimeout`, or a certificate of another node or
/// of a client, closes the connection, logged; the link then retries with backoff.
final class PeerServerCheck: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let expected: NodeID
    private let verified: EventLoopPromise<any Channel>
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    /// Set once the connection is handed over; later errors are the link's to handle.
    private var handedOver = false
    private var handshakeDeadline: Scheduled<Void>?

    init(expected: NodeID, verified: EventLoopPromise<any Channel>, handshakeTimeout: TimeAmount, logger: Logger) {
        self.expected = expected
        self.verified = verified
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = handshakeTimeout
        handshakeDeadline = context.eventLoop.scheduleTask(in: timeout) {
            let (check, context) = loopBound.value
            check.refuse(context, PeerConnectionError.handshakeTimedOut(check.expected, timeout))
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            let identity = PeerCertificate.identity(in: context.pipeline.syncOperations)
            handshakeDeadline?.cancel()
            if identity == .node(expected) {
                handedOver = true
                verified.succeed(context.channel)
            } else {
                let found = identity.map { "\($0)" } ?? "no node or client"
                refuse(context, PeerConnectionError.wrongPeer(expected: expected, found: found))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        verified.fail(PeerConnectionError.closedBeforeVerified(expected))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if handedOver {
            context.fireErrorCaught(error)
        } else {
            refuse(context, error)
        }
    }

    private func refuse(_ context: ChannelHandlerContext, _ error: any Error) {
        logger.warning(
            "closing a connection to peer \(expected): \(HandshakeFailure(error).map { "\($0)" } ?? "\(error)")",
            metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        verified.fail(error)
        context.close(promise: nil)
    }
}

/// Why a connection to a peer was given up before any frame was sent.
enum PeerConnectionError: Error, CustomStringConvertible {
    /// The other end's certificate was not the expected node's.
    case wrongPeer(expected: NodeID, found: String)
    /// The connection closed before TLS had verified the other end.
    case closedBeforeVerified(NodeID)
    /// The other end did not finish the TLS handshake in time.
    case handshakeTimedOut(NodeID, TimeAmount)

    var description: String {
        switch self {
        case .wrongPeer(let expected, let found):
            return "its certificate was issued to \(found), not to node \(expected); check the peer addresses in the configuration"
        case .closedBeforeVerified(let node):
            return "the connection to node \(node) closed before TLS verified it"
        case .handshakeTimedOut(let node, let timeout):
            return "node \(node) did not finish the TLS handshake within \(timeout)"
        }
    }
}

/// Placed right after TLS on each client (gRPC) connection: logs why a handshake was
/// refused — no certificate, one from another CA, not TLS at all — and passes the error on.
final class ClientConnectionLogger: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let failure = HandshakeFailure(error) {
            logger.warning(
                "refusing a client connection: \(failure)", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        }
        context.fireErrorCaught(error)
    }
}
