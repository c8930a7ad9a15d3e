import ColonyCore
import Prometheus

/// The figures a node reports at `/metrics`, made from one registry of its own so that nodes
/// sharing a process (in tests) keep theirs apart.
///
/// Names follow Prometheus' conventions: `colony_` first, the unit last, counters ending in
/// `_total`, and every metric has a `# HELP` line. Histograms of durations are in seconds,
/// with buckets from 100 µs to 10 s. Gauges of what the replicas do (leaders, lag, cells
/// without a leader) are set from one `ReplicaCensus` when the metrics are read, so the hot
/// path only ever increments counters made in advance.
final class NodeMetrics: Sendable {
    /// Where every figure below lives; `/metrics` prints it.
    let registry: PrometheusCollectorRegistry

    /// Times a replica here became its cell's leader.
    let leaderChanges: Counter
    /// Times a replica here stood for election (its poll was granted and it began phase 1).
    let elections: Counter
    /// Damaged replicas here an operator forced to vote again (`colony cell force-recover`).
    let forcedHeals: Counter
    /// Times a peer went silent or restarted while resting followers here trusted it to lead.
    let leaderNodeLosses: Counter
    /// Resting followers here filed to stand because the peer they trusted to lead was lost.
    let followersOfLostLeaders: Counter
    /// Times a replica here was ticked (`ReplicaHost.replicaTicks`): the work of the node's clock.
    let replicaTicks: Counter
    /// How late each tick of the node's clock ran past its length (see `LateTicks`).
    let tickDelay: DurationHistogram
    /// Group commits: each one write and one fsync of the write-ahead log.
    let logFlushes: Counter
    /// How long each group commit took, write and fsync together.
    let logFlushDuration: DurationHistogram
    /// How long each fsync of a write-ahead log segment took, alone.
    let logFsyncDuration: DurationHistogram
    /// Records in each group commit.
    let logFlushRecords: ValueHistogram
    /// Replica messages in each frame sent to a peer node.
    let peerFrameMessages: ValueHistogram
    /// Replica messages dropped because their peer was unreachable or backed up.
    let peerMessagesDropped: Counter
    /// The traffic with each peer node, by the peer's id.
    let peers: [NodeID: PeerMetrics]
    private let census: CensusGauges
    private let peerRefusals: [PeerRefusalKind: Counter]
    private let connectionsOpen: [ListeningPort: Gauge]
    private let connectionEvents: [ListeningPort: [ConnectionEvent: Counter]]
    private let requestMetrics: [RequestKind: (ok: Counter, duration: DurationHistogram)]
    private let authorizationEnabled: Gauge
    private let authorizationPolicyVersion: Gauge
    private let authorizationPolicyReadFailures: Counter
    private let peerBookReads: (ok: Counter, failed: Counter)
    private let peerBookPeers: Gauge
    private let formatLevel: Gauge

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
        case get, put, delete, compareAndSet = "cas", increment, list, transaction, deleteCell = "delete_cell", restore
    }

    /// The buckets of every duration histogram: 100 µs to 10 s.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]
    /// The buckets of every histogram of counts (records, messages): powers of two to 8,192.
    static let countBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192]

    /// Makes every metric in a new registry, with one set of peer figures for each of `peers`.
    init(peers: [NodeID] = []) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let help = MetricHelp.self
        registry.makeGauge(descriptor: described("colony_build_info", help.buildInfo), labels: NodeBuild.facts).set(Int64(1))
        formatLevel = registry.makeGauge(descriptor: described("colony_format_level", help.formatLevel))
        formatLevel.set(Int64(FormatLevel.first.number))
        leaderChanges = registry.makeCounter(descriptor: described("colony_leader_changes_total", help.leaderChanges))
        elections = registry.makeCounter(descriptor: described("colony_elections_total", help.elections))
        forcedHeals = registry.makeCounter(descriptor: described("colony_forced_heals_total", help.forcedHeals))
        leaderNodeLosses = registry.makeCounter(descriptor: described("colony_leader_node_losses_total", help.leaderNodeLosses))
        followersOfLostLeaders = registry.makeCounter(
            descriptor: described("colony_followers_of_lost_leaders_total", help.followersOfLostLeaders))
        replicaTicks = registry.makeCounter(descriptor: described("colony_replica_ticks_total", help.replicaTicks))
        tickDelay = registry.makeDurationHistogram(
            descriptor: described("colony_tick_delay_seconds", help.tickDelay), buckets: Self.durationBuckets)
        logFlushes = registry.makeCounter(descriptor: described("colony_wal_fsyncs_total", help.logFlushes))
        logFlushDuration = registry.makeDurationHistogram(
            descriptor: described("colony_wal_flush_seconds", help.logFlushDuration), buckets: Self.durationBuckets)
        logFsyncDuration = registry.makeDurationHistogram(
            descriptor: described("colony_wal_fsync_seconds", help.logFsyncDuration), buckets: Self.durationBuckets)
        logFlushRecords = registry.makeValueHistogram(
            descriptor: described("colony_wal_flush_records", help.logFlushRecords), buckets: Self.countBuckets)
        peerFrameMessages = registry.makeValueHistogram(
            descriptor: described("colony_peer_frame_messages", help.peerFrameMessages), buckets: Self.countBuckets)
        peerMessagesDropped = registry.makeCounter(descriptor: described("colony_peer_messages_dropped_total", help.peerMessagesDropped))
        self.peers = Dictionary(uniqueKeysWithValues: peers.map { ($0, PeerMetrics(peer: $0, registry: registry)) })
        census = CensusGauges(registry: registry)
        peerRefusals = Dictionary(uniqueKeysWithValues: PeerRefusalKind.allCases.map { kind in
            let descriptor = described("colony_peer_messages_refused_total", help.peerRefusals)
            return (kind, registry.makeCounter(descriptor: descriptor, labels: [("reason", kind.rawValue)]))
        })
        var connectionsOpen: [ListeningPort: Gauge] = [:]
        var connectionEvents: [ListeningPort: [ConnectionEvent: Counter]] = [:]
        for port in ListeningPort.allCases {
            connectionsOpen[port] = registry.makeGauge(descriptor: described("colony_connections_open", help.connectionsOpen), labels: [("port", port.rawValue)])
            for event in ConnectionEvent.all {
                let descriptor: MetricNameDescriptor
                switch event {
                case .refused: descriptor = described("colony_connections_refused_total", help.connectionsRefused)
                case .handshakeTimedOut, .idleTimedOut: descriptor = described("colony_connections_closed_total", help.connectionsClosed)
                }
                connectionEvents[port, default: [:]][event] = registry.makeCounter(
                    descriptor: descriptor, labels: [("port", port.rawValue), ("reason", event.label)])
            }
        }
        self.connectionsOpen = connectionsOpen
        self.connectionEvents = connectionEvents
        requestMetrics = Dictionary(uniqueKeysWithValues: RequestKind.allCases.map { kind in
            let ok = registry.makeCounter(
                descriptor: described("colony_requests_total", help.requests), labels: [("operation", kind.rawValue), ("outcome", "ok")])
            let duration = registry.makeDurationHistogram(
                descriptor: described("colony_request_duration_seconds", help.requestDuration), labels: [("operation", kind.rawValue)],
                buckets: Self.durationBuckets)
            return (kind, (ok, duration))
        })
        authorizationEnabled = registry.makeGauge(descriptor: described("colony_authorization_enabled", help.authorizationEnabled))
        authorizationPolicyVersion = registry.makeGauge(descriptor: described("colony_authorization_policy_version", help.authorizationPolicyVersion))
        authorizationPolicyReadFailures = registry.makeCounter(
            descriptor: described("colony_authorization_policy_read_failures_total", help.authorizationPolicyReadFailures))
        peerBookReads = (
            registry.makeCounter(descriptor: described("colony_peer_book_reads_total", help.peerBookReads), labels: [("outcome", "ok")]),
            registry.makeCounter(descriptor: described("colony_peer_book_reads_total", help.peerBookReads), labels: [("outcome", "failed")]))
        peerBookPeers = registry.makeGauge(descriptor: described("colony_peer_book_peers", help.peerBookPeers))
        peerBookPeers.set(Int64(peers.count))
    }

    /// Sets the gauges of what the replicas do from `census`, with `replicas` hosted here and
    /// `resting` of them at rest.
    func record(_ census: ReplicaCensus, replicas: Int, resting: Int) {
        self.census.record(census, replicas: replicas, resting: resting)
    }

    /// Shows the format level the node writes now.
    func formatWritten(_ level: FormatLevel) {
        formatLevel.set(Int64(level.number))
    }

    /// Shows the policy the node enforces now.
    func policy(_ cached: CachedPolicy) {
        authorizationEnabled.set(Int64(cached.policy.enabled ? 1 : 0))
        authorizationPolicyVersion.set(Int64(clamping: cached.version))
    }

    /// Counts one read of the node records from the directory, and shows the peers the book
    /// holds after it.
    func peerBookRead(succeeded: Bool, peers: Int) {
        (succeeded ? peerBookReads.ok : peerBookReads.failed).increment()
        peerBookPeers.set(Int64(peers))
    }

    /// Counts one failed read of the policy from the directory.
    func policyReadFailed() {
        authorizationPolicyReadFailures.increment()
    }

    /// Counts one request refused by authorization (`colony_authorization_refusals_total`, by
    /// the RPC refused).
    func authorizationRefused(rpc: String) {
        // Refusals are rare; the registry hands back the same counter for the same labels.
        registry.makeCounter(descriptor: described("colony_authorization_refusals_total", MetricHelp.authorizationRefusals), labels: [("operation", rpc)])
            .increment()
    }

    /// Counts one set of TLS files the node took up while running
    /// (`colony_tls_reloads_total`), after its files changed.
    func tlsReloaded() {
        // Reloads are rare; the registry hands back the same counter each time.
        registry.makeCounter(descriptor: described("colony_tls_reloads_total", MetricHelp.tlsReloads)).increment()
    }

    /// Counts one changed set of TLS files the node refused and did not take up
    /// (`colony_tls_reloads_refused_total`): it keeps the set it had.
    func tlsReloadRefused() {
        registry.makeCounter(descriptor: described("colony_tls_reloads_refused_total", MetricHelp.tlsReloadsRefused)).increment()
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
            registry.makeCounter(
                descriptor: described("colony_requests_total", MetricHelp.requests), labels: [("operation", kind.rawValue), ("outcome", error)]
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
        counter.increment(by: Int64(count))
    }

    /// Sets the count of connections open on `port`.
    func connections(open count: Int, on port: ListeningPort) {
        connectionsOpen[port]?.set(Int64(count))
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

/// The name and help text of one metric, as the registry takes them.
func described(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}

/// The gauges set from a `ReplicaCensus` when the metrics are read.
private struct CensusGauges: Sendable {
    let replicas: Gauge
    let leaders: Gauge
    let damaged: Gauge
    let resting: Gauge
    let active: Gauge
    let withoutLeader: Gauge
    let lagging: Gauge
    let lagSlotsMax: Gauge
    let lagSlots: Gauge

    init(registry: PrometheusCollectorRegistry) {
        let help = MetricHelp.self
        replicas = registry.makeGauge(descriptor: described("colony_replicas", help.replicas))
        leaders = registry.makeGauge(descriptor: described("colony_leaders", help.leaders))
        damaged = registry.makeGauge(descriptor: described("colony_damaged_replicas", help.damagedReplicas))
        resting = registry.makeGauge(descriptor: described("colony_resting_replicas", help.restingReplicas))
        active = registry.makeGauge(descriptor: described("colony_active_replicas", help.activeReplicas))
        withoutLeader = registry.makeGauge(descriptor: described("colony_replicas_without_leader", help.replicasWithoutLeader))
        lagging = registry.makeGauge(descriptor: described("colony_lagging_replicas", help.laggingReplicas))
        lagSlotsMax = registry.makeGauge(descriptor: described("colony_replica_lag_slots_max", help.replicaLagSlotsMax))
        lagSlots = registry.makeGauge(descriptor: described("colony_replica_lag_slots", help.replicaLagSlots))
    }

    func record(_ census: ReplicaCensus, replicas hosted: Int, resting atRest: Int) {
        replicas.set(Int64(hosted))
        leaders.set(Int64(census.leaders))
        damaged.set(Int64(census.damaged))
        resting.set(Int64(atRest))
        active.set(Int64(hosted - atRest))
        withoutLeader.set(Int64(census.withoutLeader))
        lagging.set(Int64(census.lagging))
        lagSlotsMax.set(Int64(clamping: census.lagSlotsMax))
        lagSlots.set(Int64(clamping: census.lagSlotsTotal))
    }
}
