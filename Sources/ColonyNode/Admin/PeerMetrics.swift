import ColonyCore
import Prometheus

/// The traffic between this node and one peer node, every figure labelled with the peer's id
/// (`peer="2"`). Made once per configured peer when the node starts, so counting a frame
/// allocates nothing.
struct PeerMetrics: Sendable {
    /// Frames written to the peer's connection.
    let framesSent: Counter
    /// Replica messages in the frames written to the peer.
    let messagesSent: Counter
    /// Bytes of the frames written to the peer.
    let bytesSent: Counter
    /// Frames received from the peer, after its hello.
    let framesReceived: Counter
    /// Replica messages in the frames received from the peer.
    let messagesReceived: Counter
    /// Bytes of the frames received from the peer.
    let bytesReceived: Counter
    /// 1 while this node's connection to the peer is up, 0 while not; set when read.
    let connected: Gauge
    /// The kernel's smoothed round-trip time of this node's connection to the peer; set when
    /// read, and left at its last value while the connection is down.
    let roundTrip: Gauge

    init(peer: NodeID, registry: PrometheusCollectorRegistry) {
        let labels = [("peer", "\(peer.rawValue)")]
        let help = MetricHelp.self
        framesSent = registry.makeCounter(descriptor: described("colony_peer_frames_sent_total", help.peerFramesSent), labels: labels)
        messagesSent = registry.makeCounter(descriptor: described("colony_peer_messages_sent_total", help.peerMessagesSent), labels: labels)
        bytesSent = registry.makeCounter(descriptor: described("colony_peer_bytes_sent_total", help.peerBytesSent), labels: labels)
        framesReceived = registry.makeCounter(descriptor: described("colony_peer_frames_received_total", help.peerFramesReceived), labels: labels)
        messagesReceived = registry.makeCounter(descriptor: described("colony_peer_messages_received_total", help.peerMessagesReceived), labels: labels)
        bytesReceived = registry.makeCounter(descriptor: described("colony_peer_bytes_received_total", help.peerBytesReceived), labels: labels)
        connected = registry.makeGauge(descriptor: described("colony_peer_connected", help.peerConnected), labels: labels)
        roundTrip = registry.makeGauge(descriptor: described("colony_peer_round_trip_seconds", help.peerRoundTrip), labels: labels)
    }
}
