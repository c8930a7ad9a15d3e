import NIOCore

/// What a listening port did to connections, gathered so that a flood costs one log line per
/// interval instead of one per connection. A pure value: time comes in as an argument.
///
/// The first event after a quiet interval is logged at once; later ones are counted and
/// logged together with the next event once `interval` has passed since the last line.
struct ConnectionEventLog {
    /// The shortest time between two lines.
    let interval: TimeAmount
    private var pending: [ConnectionEvent: Int] = [:]
    private var lastLine: NIODeadline?

    init(interval: TimeAmount) {
        self.interval = interval
    }

    /// Counts `event` at `now`; returns every event counted since the last line, by kind,
    /// when a line is due.
    mutating func record(_ event: ConnectionEvent, now: NIODeadline) -> [ConnectionEvent: Int]? {
        pending[event, default: 0] += 1
        if let lastLine, now - lastLine < interval { return nil }
        lastLine = now
        defer { pending = [:] }
        return pending
    }
}

/// Something a port did to a connection that the node counts and logs.
enum ConnectionEvent: Hashable, Sendable {
    /// Refused at accept by a limit.
    case refused(ConnectionRefusal)
    /// Closed: it did not finish its handshake in time.
    case handshakeTimedOut
    /// Closed: it stayed idle too long.
    case idleTimedOut

    /// The metric label of the event.
    var label: String {
        switch self {
        case .refused(let refusal): return refusal.rawValue
        case .handshakeTimedOut: return "handshake_timeout"
        case .idleTimedOut: return "idle_timeout"
        }
    }

    /// Every event, for metrics made in advance.
    static let all: [ConnectionEvent] = ConnectionRefusal.allCases.map(ConnectionEvent.refused) + [.handshakeTimedOut, .idleTimedOut]
}
