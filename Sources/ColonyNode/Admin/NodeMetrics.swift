import CoreMetrics
import Prometheus

/// The figures a node reports at `/metrics`, made from one registry of its own so that nodes
/// sharing a process (in tests) keep theirs apart.
///
/// Names follow Prometheus' conventions: `colony_` first, the unit last, counters ending in
/// `_total`. Histograms of durations are in seconds, with buckets from 100 µs to 10 s.
final class NodeMetrics: Sendable {
    /// Where every figure below lives; `/metrics` prints it.
    let registry: PrometheusCollectorRegistry

    private let factory: PrometheusMetricsFactory
    /// Times a replica here became its cell's leader.
    let leaderChanges: CoreMetrics.Counter
    /// Replicas this node hosts.
    let replicas: CoreMetrics.Gauge
    /// Replicas here that lead their cell.
    let leaders: CoreMetrics.Gauge
    /// Replicas here that lost their stored state and wait to be renewed.
    let damagedReplicas: CoreMetrics.Gauge
    /// Replicas here at rest: their cell is quiescent (or they were restored and nothing has
    /// woken them), so the node does not tick them.
    let restingReplicas: CoreMetrics.Gauge
    /// Damaged replicas here an operator forced to vote again (`colony cell force-recover`).
    let forcedHeals: CoreMetrics.Counter
    /// Group commits: each one write and one fsync of the write-ahead log.
    let logFlushes: CoreMetrics.Counter
    /// How long each group commit took, write and fsync together.
    let logFlushDuration: CoreMetrics.Timer
    /// Records in each group commit.
    let logFlushRecords: CoreMetrics.Recorder
    /// Frames sent to peer nodes.
    let peerFrames: CoreMetrics.Counter
    /// Replica messages in each frame sent to a peer node.
    let peerFrameMessages: CoreMetrics.Recorder
    /// Replica messages dropped because their peer was unreachable or backed up.
    let peerMessagesDropped: CoreMetrics.Counter
    /// Peer messages and frames refused as no honest peer sends them
    /// (`colony_peer_messages_refused_total`, by reason).
    private let peerRefusals: [PeerRefusalKind: CoreMetrics.Counter]
    /// Connections open on each listening port (`colony_connections_open`, by port).
    private let connectionsOpen: [ListeningPort: CoreMetrics.Gauge]
    /// Connections refused at accept (`colony_connections_refused_total`) or closed on a
    /// timeout (`colony_connections_closed_total`), by port and reason.
    private let connectionEvents: [ListeningPort: [ConnectionEvent: CoreMetrics.Counter]]
    /// Client requests answered (`colony_requests_total`, by operation and outcome: `ok` or
    /// the error code) and how long each took (`colony_request_duration_seconds`).
    private let requestMetrics: [RequestKind: (ok: CoreMetrics.Counter, duration: CoreMetrics.Timer)]
    /// 1 while the policy this node enforces has authorization on, 0 while off.
    private let authorizationEnabled: CoreMetrics.Gauge
    /// The version of the directory's policy record this node enforces (0: none read).
    private let authorizationPolicyVersion: CoreMetrics.Gauge
    /// Reads of the policy from the directory that failed: while they go on, the node
    /// enforces the policy it read last.
    private let authorizationPolicyReadFailures: CoreMetrics.Counter

    /// Why peer messages were refused, as the `reason` label names it.
    enum PeerRefusalKind: String, CaseIterable, Sendable {
        /// Messages for cells the node does not host, past its unconfirmed replicas' bound.
        case unknownCell = "unknown_cell"
        /// Frames that did not decode; their connection is closed.
        case malformedFrame = "malformed_frame"
        /// Messages carrying a counter above the bound a replica adopts.
        case counterAboveBound = "counter_above_bound"
        /// Promises reporting an entry further ahead than any log reaches.
        case promisedSlotOutOfReach = "promised_slot_out_of_reach"
        /// A cell's state, entries or deletion from a node neither a member nor asked.
        case stateFromStranger = "state_from_stranger"
    }

    /// The kinds of client request, as the `operation` label names them.
    enum RequestKind: String, CaseIterable, Sendable {
        case get, put, delete, compareAndSet = "cas", increment, list, transaction, deleteCell = "delete_cell"
    }

    /// Makes every metric in a new registry.
    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192]
        self.registry = registry
        self.factory = factory
        leaderChanges = CoreMetrics.Counter(label: "colony_leader_changes_total", factory: factory)
        replicas = CoreMetrics.Gauge(label: "colony_replicas", factory: factory)
        leaders = CoreMetrics.Gauge(label: "colony_leaders", factory: factory)
        damagedReplicas = CoreMetrics.Gauge(label: "colony_damaged_replicas", factory: factory)
        restingReplicas = CoreMetrics.Gauge(label: "colony_resting_replicas", factory: factory)
        forcedHeals = CoreMetrics.Counter(label: "colony_forced_heals_total", factory: factory)
        logFlushes = CoreMetrics.Counter(label: "colony_wal_fsyncs_total", factory: factory)
        logFlushDuration = CoreMetrics.Timer(label: "colony_wal_flush_seconds", factory: factory)
        logFlushRecords = CoreMetrics.Recorder(label: "colony_wal_flush_records", factory: factory)
        peerFrames = CoreMetrics.Counter(label: "colony_peer_frames_sent_total", factory: factory)
        peerFrameMessages = CoreMetrics.Recorder(label: "colony_peer_frame_messages", factory: factory)
        peerMessagesDropped = CoreMetrics.Counter(label: "colony_peer_messages_dropped_total", factory: factory)
        var peerRefusals: [PeerRefusalKind: CoreMetrics.Counter] = [:]
        for kind in PeerRefusalKind.allCases {
            peerRefusals[kind] = CoreMetrics.Counter(
                label: "colony_peer_messages_refused_total", dimensions: [("reason", kind.rawValue)], factory: factory)
        }
        self.peerRefusals = peerRefusals
        var connectionsOpen: [ListeningPort: CoreMetrics.Gauge] = [:]
        var connectionEvents: [ListeningPort: [ConnectionEvent: CoreMetrics.Counter]] = [:]
        for port in ListeningPort.allCases {
            connectionsOpen[port] = CoreMetrics.Gauge(label: "colony_connections_open", dimensions: [("port", port.rawValue)], factory: factory)
            for event in ConnectionEvent.all {
                let label: String
                switch event {
                case .refused: label = "colony_connections_refused_total"
                case .handshakeTimedOut, .idleTimedOut: label = "colony_connections_closed_total"
                }
                connectionEvents[port, default: [:]][event] = CoreMetrics.Counter(
                    label: label, dimensions: [("port", port.rawValue), ("reason", event.label)], factory: factory)
            }
        }
        self.connectionsOpen = connectionsOpen
        self.connectionEvents = connectionEvents
        var requestMetrics: [RequestKind: (ok: CoreMetrics.Counter, duration: CoreMetrics.Timer)] = [:]
        for kind in RequestKind.allCases {
            requestMetrics[kind] = (
                CoreMetrics.Counter(
                    label: "colony_requests_total", dimensions: [("operation", kind.rawValue), ("outcome", "ok")], factory: factory),
                CoreMetrics.Timer(label: "colony_request_duration_seconds", dimensions: [("operation", kind.rawValue)], factory: factory)
            )
        }
        self.requestMetrics = requestMetrics
        authorizationEnabled = CoreMetrics.Gauge(label: "colony_authorization_enabled", factory: factory)
        authorizationPolicyVersion = CoreMetrics.Gauge(label: "colony_authorization_policy_version", factory: factory)
        authorizationPolicyReadFailures = CoreMetrics.Counter(label: "colony_authorization_policy_read_failures_total", factory: factory)
    }

    /// Shows the policy the node enforces now.
    func policy(_ cached: CachedPolicy) {
        authorizationEnabled.record(cached.policy.enabled ? 1 : 0)
        authorizationPolicyVersion.record(Int64(clamping: cached.version))
    }

    /// Counts one failed read of the policy from the directory.
    func policyReadFailed() {
        authorizationPolicyReadFailures.increment()
    }

    /// Counts one request refused by authorization (`colony_authorization_refusals_total`, by
    /// the RPC refused).
    func authorizationRefused(rpc: String) {
        // Refusals are rare; the registry hands back the same counter for the same labels.
        CoreMetrics.Counter(label: "colony_authorization_refusals_total", dimensions: [("operation", rpc)], factory: factory).increment()
    }

    /// Counts one set of TLS files the node took up while running
    /// (`colony_tls_reloads_total`), after its files changed.
    func tlsReloaded() {
        CoreMetrics.Counter(label: "colony_tls_reloads_total", factory: factory).increment()
    }

    /// Counts one changed set of TLS files the node refused and did not take up
    /// (`colony_tls_reloads_refused_total`): it keeps the set it had.
    func tlsReloadRefused() {
        CoreMetrics.Counter(label: "colony_tls_reloads_refused_total", factory: factory).increment()
    }

    /// Counts one answered request of `kind` that took `nanoseconds`; `error` names the error
    /// code it failed with, if it did.
    func request(_ kind: RequestKind, nanoseconds: Int64, error: String?) {
        guard let metrics = requestMetrics[kind] else {
            preconditionFailure("Invalid state: every request kind has its metrics")
        }
        metrics.duration.recordNanoseconds(nanoseconds)
        if let error {
            // Errors are rare; the registry hands back the same counter for the same labels.
            CoreMetrics.Counter(
                label: "colony_requests_total", dimensions: [("operation", kind.rawValue), ("outcome", error)], factory: factory
            ).increment()
        } else {
            metrics.ok.increment()
        }
    }

    /// Counts `count` peer messages (or frames) refused for `kind`.
    func refused(_ count: Int, _ kind: PeerRefusalKind) {
        guard let counter = peerRefusals[kind] else {
            preconditionFailure("Invalid state: every kind of peer refusal has its counter")
        }
        counter.increment(by: count)
    }

    /// Sets the count of connections open on `port`.
    func connections(open count: Int, on port: ListeningPort) {
        connectionsOpen[port]?.record(count)
    }

    /// Counts one connection `event` on `port`.
    func count(_ event: ConnectionEvent, on port: ListeningPort) {
        guard let counter = connectionEvents[port]?[event] else {
            preconditionFailure("Invalid state: every port and connection event has its counter")
        }
        counter.increment()
    }

    /// The figures in Prometheus' text format.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
