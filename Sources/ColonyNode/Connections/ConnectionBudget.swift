import Logging
import NIOCore
import Synchronization

/// The node's account of the connections on its listening ports, shared by every port's
/// gate and deadlines on every event loop: it admits or refuses each new connection (the
/// decision is `ConnectionCensus`'s), counts refusals and timeouts in the metrics, and logs
/// them at most once per interval per port (`ConnectionEventLog`).
final class ConnectionBudget: Sendable {
    private struct State {
        var census: ConnectionCensus
        var logs: [ListeningPort: ConnectionEventLog]
    }

    private let state: Mutex<State>
    private let metrics: NodeMetrics
    private let logger: Logger
    /// Each port's limits.
    let limits: [ListeningPort: ConnectionLimits]
    /// The most connections open on all ports together.
    let totalMax: Int

    init(
        limits: [ListeningPort: ConnectionLimits], totalMax: Int, logInterval: TimeAmount, metrics: NodeMetrics, logger: Logger
    ) {
        let logs = Dictionary(uniqueKeysWithValues: ListeningPort.allCases.map { ($0, ConnectionEventLog(interval: logInterval)) })
        state = Mutex(State(census: ConnectionCensus(limits: limits, totalMax: totalMax), logs: logs))
        self.limits = limits
        self.totalMax = totalMax
        self.metrics = metrics
        self.logger = logger
    }

    /// Counts in a new connection to `port` from `remote`; false when a limit refuses it and
    /// the caller must close it at once.
    func admit(on port: ListeningPort, from remote: SocketAddress?) -> Bool {
        let address = Self.key(remote)
        let (admission, open, line) = state.withLock { state -> (ConnectionAdmission, Int, [ConnectionEvent: Int]?) in
            let admission = state.census.admit(on: port, from: address)
            var line: [ConnectionEvent: Int]?
            if case .refused(let refusal) = admission {
                line = state.logs[port]?.record(.refused(refusal), now: .now())
            }
            return (admission, state.census.openCount(on: port), line)
        }
        switch admission {
        case .admitted:
            metrics.connections(open: open, on: port)
            return true
        case .refused(let refusal):
            metrics.count(.refused(refusal), on: port)
            if let line { log(line, on: port, lastFrom: address) }
            return false
        }
    }

    /// Counts out an admitted connection that closed.
    func release(on port: ListeningPort, from remote: SocketAddress?) {
        let open = state.withLock { state in
            state.census.release(on: port, from: Self.key(remote))
            return state.census.openCount(on: port)
        }
        metrics.connections(open: open, on: port)
    }

    /// Counts a connection closed for `event` (a timeout).
    func closed(on port: ListeningPort, because event: ConnectionEvent, remote: SocketAddress?) {
        metrics.count(event, on: port)
        let line = state.withLock { $0.logs[port]?.record(event, now: .now()) }
        if let line { log(line, on: port, lastFrom: Self.key(remote)) }
    }

    /// The most connections `port` may hold: its limit, or its share of `totalMax`.
    func share(of port: ListeningPort) -> Int {
        state.withLock { $0.census.shares[port] ?? 0 }
    }

    /// Connections open on `port` now.
    func openCount(on port: ListeningPort) -> Int {
        state.withLock { $0.census.openCount(on: port) }
    }

    /// Warns when the open file limit leaves less room than the ports' limits, so each port
    /// holds only its share.
    func warnIfShared() {
        let shares = state.withLock { $0.census.shares }
        let squeezed = ListeningPort.allCases.filter { (shares[$0] ?? 0) < (limits[$0]?.connectionsMax ?? 0) }
        guard !squeezed.isEmpty else { return }
        let parts = ListeningPort.allCases.map { "\($0.rawValue) \(shares[$0] ?? 0) of \(limits[$0]?.connectionsMax ?? 0)" }
        logger.warning(
            "the open file limit leaves room for \(totalMax) connections, fewer than the ports' limits add up to; each port holds its share (\(parts.joined(separator: ", "))). Raise the limit (ulimit -n) to hold more")
    }

    /// The census key of a remote address: its IP, without the port.
    static func key(_ address: SocketAddress?) -> String {
        address?.ipAddress ?? "local"
    }

    private func log(_ counts: [ConnectionEvent: Int], on port: ListeningPort, lastFrom address: String) {
        guard let limits = limits[port] else { return }
        let parts = ConnectionEvent.all.compactMap { event in
            counts[event].map { "\($0) \(describe(event, on: port, limits: limits))" }
        }
        logger.warning(
            "\(port.rawValue) port: \(parts.joined(separator: "; ")) (the last from \(address)); connections already open are served as before",
            metadata: ["port": "\(port.rawValue)"])
    }

    private func describe(_ event: ConnectionEvent, on port: ListeningPort, limits: ConnectionLimits) -> String {
        switch event {
        case .refused(.addressLimit):
            return "refused: their address held its limit of \(limits.connectionsPerAddressMax) connections (connectionsPerAddressMax)"
        case .refused(.portLimit):
            return "refused: the port held its limit of \(limits.connectionsMax) connections (connectionsMax)"
        case .refused(.descriptorLimit):
            return "refused: the port held its share, \(share(of: port)), of the \(totalMax) connections the open file limit leaves room for (raise `ulimit -n`)"
        case .handshakeTimedOut:
            return "closed: no handshake within \(limits.handshakeTimeout)"
        case .idleTimedOut:
            return "closed: idle for \(limits.idleTimeout)"
        }
    }
}
