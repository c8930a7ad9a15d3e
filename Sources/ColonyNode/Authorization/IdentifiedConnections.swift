import ColonyAuth
import Foundation
import NIOCore
import NIOTLS
import Synchronization
import X509

/// The client connections open on this node, by the identity their certificate carries, so
/// that a revoked identity's connections are closed, not only its next calls refused, and so
/// are those whose certificate the CAs the node trusts no longer verify once its TLS files
/// change (an old CA removed after a rotation). Bounded by the client port's connection
/// limit: one entry per open connection.
final class IdentifiedConnections: Sendable {
    /// One open connection and the certificate it presented.
    private struct Entry {
        let channel: any Channel
        let certificate: Certificate
    }

    private let open = Mutex<[String: [ObjectIdentifier: Entry]]>([:])

    /// Records `channel`, whose verified `certificate` names `identity`, until it closes.
    func opened(_ channel: any Channel, by identity: Identity, presenting certificate: Certificate) {
        open.withLock { $0[identity.urn, default: [:]][ObjectIdentifier(channel)] = Entry(channel: channel, certificate: certificate) }
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
        let closing = open.withLock { open in revoked.flatMap { open[$0].map { $0.values.map(\.channel) } ?? [] } }
        for channel in closing {
            channel.close(promise: nil)
        }
        return closing.count
    }

    /// Closes every open connection whose certificate `authorities` do not verify at `now`
    /// (`ClientCertificateCheck`, as a new connection's would be checked); returns how many.
    @discardableResult
    func close(untrustedBy authorities: [Certificate], now: Date) -> Int {
        // Copied out, then checked: the lock is the one every handshake and close takes.
        let entries = open.withLock { open in open.values.flatMap(\.values) }
        let closing = entries.filter { !ClientCertificateCheck.verifies($0.certificate, against: authorities, now: now) }
        for entry in closing {
            entry.channel.close(promise: nil)
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
           let certificate = PeerCertificate.presented(in: context.pipeline.syncOperations)
        {
            // A certificate of the colony's CA that names no identity is served as anonymous,
            // and recorded all the same, so a change of CAs judges it too.
            let named = CertificateIdentity(certificate: certificate)?.authorization ?? .anonymous
            identity = named
            connections.opened(context.channel, by: named, presenting: certificate)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let identity { connections.closed(context.channel, by: identity) }
        context.fireChannelInactive()
    }
}
