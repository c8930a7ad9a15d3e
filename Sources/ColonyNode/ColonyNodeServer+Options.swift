import ColonyCore
import NIOCore
import Tracing

extension ColonyNodeServer {
    /// Tunables of a running node. Every limit has a default meant for production; tests
    /// lower them to reach them quickly.
    public struct Options: Sendable {
        /// How often every replica ticks.
        public var tick = TimeAmount.milliseconds(10)
        /// Testing only: a lock file whose exclusive lock, while another process holds it,
        /// holds every fsync of the log (see `StallableDisk`). Refused at start unless the
        /// node's colony is a development one (`NodeConfig.developmentColony`).
        public var diskStallLock: String?
        /// The largest peer frame body accepted once a peer has said hello (before it, only a
        /// frame as small as a hello).
        public var frameBytesMax = 16 * 1024 * 1024
        /// Options of every replica: the core's, but for a liveness timeout of 3 s rather
        /// than 500 ms, and at most 10,000 replicas awake before the wake queue slows. A
        /// node's event loop kept busy by a burst of work (a million cells created in bulk on
        /// a loaded 2-core machine) delays its ticks, and so its liveness heartbeats, by up to
        /// 1.8 s; peers that take it for dead wake every follower of the cells it leads,
        /// hundreds of thousands of elections that make every loop busier still. A dead
        /// node's cells wait 2.5 s more before they elect. Every awake replica is ticked every
        /// tick, at about 0.5 µs: 100,000 awake make a tick take 50 ms.
        public var replica = Self.replicaOptions

        /// `replica`'s default.
        static var replicaOptions: ReplicaOptions {
            var options = ReplicaOptions()
            options.livenessTimeoutTicks = 300
            options.awakeReplicasMax = 10_000
            return options
        }
        /// How long a client request may wait for its cell before the reply says `UNAVAILABLE`.
        public var requestTimeout = TimeAmount.seconds(5)
        /// How long a stopping node waits for its cells to take new leaders before it goes.
        public var handOffTimeout = TimeAmount.seconds(3)
        /// The most watches the node serves at once; more are refused as `UNAVAILABLE`.
        public var watchesMax = 1_000
        /// The most watches one client serves at once on this node, so no client takes all of
        /// `watchesMax`. A client is the identity its certificate names, or its IP address
        /// without TLS.
        public var watchesPerClientMax = 100
        /// The most changes a watch is handed at once: its whole buffer on the node, since it
        /// gets the next ones only after writing these out.
        public var watchBatchChangesMax = 64
        /// The most operations one client session runs at a time; beyond it the node stops
        /// reading that session until some finish.
        public var sessionOperationsMax = 1_024
        /// How long a stopping node waits for its client streams to end before cutting them.
        public var clientDrainTimeout = TimeAmount.seconds(5)
        /// The largest gRPC message a client may send: room for a session message carrying
        /// many operations, and for a value too large for any cell to be answered
        /// `VALUE_TOO_LARGE` rather than having its stream reset. A larger message resets its
        /// stream (gRPC's `RESOURCE_EXHAUSTED`).
        public var clientMessageBytesMax = 32 * 1024 * 1024
        /// The most calls open at once on one client connection (HTTP/2 streams).
        public var clientStreamsPerConnectionMax = 1_024
        /// How far ahead of its replica's epoch a request's `expected_epoch` may be. A cell
        /// changes epoch once per membership change, so a request further ahead did not get
        /// its epoch from the cell: it is refused as `INVALID_ARGUMENT` instead of waiting for
        /// an epoch that never comes.
        public var epochLeadMax: Epoch = 1_000
        /// Limits on the peer port, before a peer has proved who it is.
        public var peerConnections = ConnectionLimits.peerDefaults
        /// Limits on the client (gRPC) port, before a client has proved who it is.
        public var clientConnections = ConnectionLimits.clientDefaults
        /// Limits on the admin endpoint's port.
        public var adminConnections = ConnectionLimits.adminDefaults
        /// File descriptors kept free beyond the connections on all ports, for the log,
        /// snapshots, outgoing peer connections (one per peer is added to this) and the
        /// process itself: connections are refused once accepting one more would leave fewer
        /// free under the process's limit (`RLIMIT_NOFILE`).
        public var descriptorsReservedCount = 256
        /// The shortest time between two log lines about refused or timed-out connections of
        /// one port; every one is counted in the metrics.
        public var connectionLogInterval = TimeAmount.seconds(10)

        /// How often the node reads the authorization policy from the directory.
        public var policyRefreshInterval = Duration.seconds(2)
        /// How often the node reads the node records from the directory into its peer book.
        public var peerBookRefreshInterval = Duration.seconds(5)
        /// The shortest time between two reads of the node records, however often peers of
        /// unknown ids ask for one.
        public var peerBookRefreshGapMin = Duration.milliseconds(500)
        /// How often the node reads its TLS files to see whether they changed; a change is
        /// taken up after two reads that agree.
        public var tlsFilesPollInterval = Duration.seconds(2)
        /// Where the spans of traced client requests go: a server span per request (sampled as
        /// the request's trace context says, or by the tracer's sampler for a request without
        /// one), and its proposal, accepts and log flushes under it (see `RequestTraces`); nil
        /// (the default) traces nothing and costs nothing.
        public var tracer: (any Tracer)?
        /// Authorization's safety mechanisms switched off, for tests that show they matter.
        @_spi(Testing) public var authorizationDefects: Set<AuthorizationDefect> = []
        /// Certificate rotation's safety mechanisms switched off, for tests that show they matter.
        @_spi(Testing) public var tlsDefects: Set<TLSDefect> = []
        /// The peer book's safety mechanisms switched off, for tests that show they matter.
        @_spi(Testing) public var peerBookDefects: Set<PeerBookDefect> = []

        /// The defaults.
        public init() {}

        /// The limits of `port`.
        func connections(on port: ListeningPort) -> ConnectionLimits {
            switch port {
            case .peer: return peerConnections
            case .client: return clientConnections
            case .admin: return adminConnections
            }
        }
    }
}
