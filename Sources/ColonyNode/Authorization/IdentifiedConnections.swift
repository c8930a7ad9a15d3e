import ColonyAuth
import NIOCore
import NIOTLS
import Synchronization

/// The client connections open on this node, by the identity their certificate carries, so
/// that a revoked identity's connections are closed, not only its next calls refused. Bounded
/// by the client port's connection limit: one entry per open connection.
final class IdentifiedConnections: Sendable {
    private let open = Mutex<[String: [ObjectIdentifier: any Channel]]>([:])

    /// Records `channel`, whose certificate names `identity`, until it closes.
    func opened(_ channel: any Channel, by identity: Identity) {
        open.withLock { $0[identity.urn, default: [:]][ObjectIdentifier(channel)] = channel }
    }

    /// Forgets `channel`.
    func closed(_ channel: any Channel, by identity: Identity) {
        open.withLock { open in
            open[identity.urn]?[ObjectIdentifier(channel)] = nil
            if open[identity.urn]?.isEmpty == true { open[identity.urn] = nil }
        }
    }

    /// Closes every open connection of the identities `revoked` (URNs); returns how many.
    @discardableResult
    func close(revoked: [String]) -> Int {
        guard !revoked.isEmpty else { return 0 }
        let closing = open.withLock { open in revoked.flatMap { open[$0].map { Array($0.values) } ?? [] } }
        for channel in closing {
            channel.close(promise: nil)
        }
        return closing.count
    }
}

/// On a client connection: once TLS has verified the caller's certificate, records the
/// connection under its identity (`IdentifiedConnections`) until it closes. A connection a
/// revoked identity opens later stays open: each of its calls is refused with
/// PERMISSION_DENIED, which tells the client why, where a closed connection would only make
/// it retry.
final class ConnectionIdentityRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let connections: IdentifiedConnections
    /// The identity recorded, once the handshake completed; touched on the channel's loop only.
    private var identity: Identity?

    init(connections: IdentifiedConnections) {
        self.connections = connections
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event,
           let certified = PeerCertificate.identity(in: context.pipeline.syncOperations)
        {
            identity = certified.authorization
            connections.opened(context.channel, by: certified.authorization)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let identity { connections.closed(context.channel, by: identity) }
        context.fireChannelInactive()
    }
}
