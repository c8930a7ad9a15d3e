import ColonyControl
import ColonyCore
import ColonyPlacement

/// The order `colony rollout` restarts a colony's nodes in: one zone at a time, zones in name
/// order, and within a zone in id order; gone nodes are left out.
enum RolloutPlan {
    /// The nodes of `records` to restart, in order.
    static func order(_ records: [NodeRecord]) -> [NodeRecord] {
        records.filter { $0.state != .gone }.sorted { ($0.zone, $0.id) < ($1.zone, $1.id) }
    }

    /// `template` with `{node}`, `{zone}`, `{rack}` and `{host}` (the host of the node's
    /// client address) replaced by `record`'s. None can hold a character the shell reads:
    /// zones and racks are plain names, and a record whose host holds anything but what host
    /// names and addresses hold is refused when the directory is read (`NodeRecord.problem`).
    static func command(_ template: String, for record: NodeRecord) -> String {
        template
            .replacingOccurrences(of: "{node}", with: String(record.id))
            .replacingOccurrences(of: "{zone}", with: record.zone)
            .replacingOccurrences(of: "{rack}", with: record.rack)
            .replacingOccurrences(of: "{host}", with: record.clientHost)
    }

    /// What keeps the colony from being safe to restart `next` in (or, with none, from being
    /// healthy), or nil: every node answers, some node lists every cell the directory places,
    /// and every cell the nodes list has a majority of its members voting (holding the cell's
    /// state, renewed, not damaged), and keeps one without `next` if `next` is a member. Cells
    /// made outside the control plane are judged too: the nodes' listings are what counts.
    /// `placed` names the directory's cells, `cells` is what the nodes said of their replicas,
    /// `unreachable` the nodes that did not answer.
    static func problem(placed: [String], cells: [String: ObservedCell], unreachable: [UInt32], next: NodeID?) -> String? {
        if let silent = unreachable.first { return "node \(silent) does not list its replicas" }
        if let unseen = placed.sorted().first(where: { cells[$0] == nil }) { return "no node lists a replica of cell \(unseen)" }
        for (name, cell) in cells.sorted(by: { $0.key < $1.key }) {
            let ready = cell.members.filter(cell.isReadyMember)
            guard ready.count >= cell.members.count / 2 + 1 else {
                return "cell \(name) has \(ready.count) of its \(cell.members.count) members voting, not a majority"
            }
            if let next, cell.members.contains(next), !cell.keepsLiveMajority(without: next) {
                return "cell \(name) would keep \(ready.count - 1) of its \(cell.members.count) members voting without node \(next.rawValue), not a majority"
            }
        }
        return nil
    }
}

/// What the nodes' metrics say of the client requests they answered, summed over the nodes:
/// how many, how many failed as unavailable (no leader, no majority, timed out), and how
/// long they took (the cumulative buckets of `colony_request_duration_seconds`).
struct RequestFigures: Equatable, Sendable {
    /// Requests answered.
    var requests = 0.0
    /// Requests answered `unavailable`.
    var unavailable = 0.0
    /// By bucket bound in seconds, the requests answered within it.
    var buckets: [Double: Double] = [:]

    /// The figures of no request.
    init() {}

    /// The figures of one node's metrics `page`, in Prometheus text.
    init(metrics page: String) {
        for line in page.split(separator: "\n") where line.hasPrefix("colony_request") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix("colony_requests_total{") {
                requests += value
                if line.contains(#"outcome="unavailable""#) { unavailable += value }
            } else if line.hasPrefix("colony_request_duration_seconds_bucket{"), let bound = Self.label("le", in: line) {
                buckets[bound == "+Inf" ? .infinity : Double(bound) ?? .nan, default: 0] += value
            }
        }
        buckets[.nan] = nil
    }

    /// The value of label `name` in a metric line.
    private static func label(_ name: String, in line: Substring) -> String? {
        guard let start = line.range(of: name + "=\"") else { return nil }
        let rest = line[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// What one node answered between `earlier` and these figures, both its own. A node
    /// restarted between the two counts from zero again: when any count went down, the
    /// figures are taken as they are.
    func since(_ earlier: RequestFigures) -> RequestFigures {
        let reset = requests < earlier.requests || buckets.contains { $0.value < (earlier.buckets[$0.key] ?? 0) }
        guard !reset else { return self }
        var window = RequestFigures()
        window.requests = requests - earlier.requests
        window.unavailable = max(0, unavailable - earlier.unavailable)
        for (bound, count) in buckets { window.buckets[bound] = count - (earlier.buckets[bound] ?? 0) }
        return window
    }

    /// The figures of `parts` added together.
    static func sum(_ parts: [RequestFigures]) -> RequestFigures {
        var total = RequestFigures()
        for part in parts {
            total.requests += part.requests
            total.unavailable += part.unavailable
            total.buckets.merge(part.buckets, uniquingKeysWith: +)
        }
        return total
    }

    /// The bound of the first bucket that holds the `quantile` of the requests (infinity when
    /// only the last does), or nil without requests.
    func duration(atQuantile quantile: Double) -> Double? {
        guard let total = buckets[.infinity], total > 0 else { return nil }
        return buckets.keys.sorted().first { (buckets[$0] ?? 0) >= quantile * total }
    }
}

/// When `colony rollout` stops and rolls back: after a node is back and every cell has a
/// leader, the requests answered over the next window fail as unavailable too often, or take
/// too long at the 99th percentile.
struct RolloutAlarms: Sendable {
    /// The largest share of requests answered unavailable.
    var unavailableShareMax: Double
    /// The longest 99th-percentile request duration, in seconds.
    var p99SecondsMax: Double
    /// Below this many requests in a window nothing is judged (an idle colony is not alarming).
    var requestsMin: Double = 20

    /// Why `window` is alarming, or nil.
    func firing(_ window: RequestFigures) -> String? {
        guard window.requests >= requestsMin else { return nil }
        let share = window.unavailable / window.requests
        if share > unavailableShareMax {
            return "\(Int(window.unavailable)) of \(Int(window.requests)) requests (\(Self.percent(share))) were answered unavailable, above the \(Self.percent(unavailableShareMax)) allowed"
        }
        if let p99 = window.duration(atQuantile: 0.99), p99 > p99SecondsMax {
            return "the 99th percentile of \(Int(window.requests)) requests took up to \(p99.isFinite ? "\(Self.milliseconds(p99)) ms" : "more than the largest bucket"), above the \(Self.milliseconds(p99SecondsMax)) ms allowed"
        }
        return nil
    }

    private static func percent(_ share: Double) -> String {
        String(Double(Int(share * 1_000)) / 10) + "%"
    }

    private static func milliseconds(_ seconds: Double) -> String {
        let milliseconds = seconds * 1_000
        return milliseconds < 1 ? String(milliseconds) : String(Int(milliseconds.rounded()))
    }
}
