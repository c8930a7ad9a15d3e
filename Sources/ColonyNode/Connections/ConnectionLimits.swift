import NIOCore

/// The limits one listening port keeps before it knows who is calling: every one applies
/// before authentication, so a stranger can hold at most these resources.
public struct ConnectionLimits: Sendable, Hashable {
    /// The most connections open on the port at once; a connection beyond it is accepted and
    /// closed at once, and the connections already open are served as before.
    public var connectionsMax: Int
    /// The most connections open on the port at once from one remote address (IP), so one
    /// host cannot take the whole port.
    public var connectionsPerAddressMax: Int
    /// How long a new connection may take to prove itself: to finish the TLS handshake (the
    /// client port), to finish it and say hello (the peer port), or to send its whole
    /// request (the admin port). One that has not is closed.
    public var handshakeTimeout: TimeAmount
    /// How long a connection may stay idle before it is closed: without reading a byte (the
    /// peer and admin ports), or without an open call (the client port).
    public var idleTimeout: TimeAmount

    /// Makes limits.
    public init(connectionsMax: Int, connectionsPerAddressMax: Int, handshakeTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.connectionsMax = connectionsMax
        self.connectionsPerAddressMax = connectionsPerAddressMax
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
    }

    /// The peer port's defaults: room for a colony of hundreds of nodes, dozens of nodes on
    /// one host (development colonies), and a peer link idle for 5 minutes reopened on its
    /// next message.
    public static let peerDefaults = ConnectionLimits(
        connectionsMax: 1_024, connectionsPerAddressMax: 64, handshakeTimeout: .seconds(5), idleTimeout: .minutes(5))
    /// The client port's defaults.
    public static let clientDefaults = ConnectionLimits(
        connectionsMax: 4_096, connectionsPerAddressMax: 256, handshakeTimeout: .seconds(10), idleTimeout: .minutes(5))
    /// The admin port's defaults: a few monitoring scrapers, each request sent whole within
    /// 10 s (a connection closes once answered; the idle timeout only bounds a wait for an
    /// answer).
    public static let adminDefaults = ConnectionLimits(
        connectionsMax: 64, connectionsPerAddressMax: 16, handshakeTimeout: .seconds(10), idleTimeout: .seconds(60))
}

/// The ports a node listens on.
enum ListeningPort: String, Hashable, Sendable, CaseIterable {
    /// Other nodes' connections.
    case peer
    /// Clients' gRPC connections (and the control plane's).
    case client
    /// The admin endpoint's HTTP connections.
    case admin
}
