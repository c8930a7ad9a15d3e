import ColonyCore

/// A kind of fault `colony chaos` puts on a node process.
enum ChaosFaultKind: String, CaseIterable, Comparable, Sendable {
    /// SIGKILL the node, then start it again on its data once the hold is over.
    case kill
    /// SIGSTOP the node, preferring one that leads the load's cells, then SIGCONT it.
    case pause
    /// Hold every fsync of the node's log, preferring one that leads the load's cells, then
    /// let them go: the node runs on, but cannot make anything durable (its disk stall lock).
    case stall

    static func < (left: ChaosFaultKind, right: ChaosFaultKind) -> Bool {
        left.rawValue < right.rawValue
    }
}

/// One fault of a schedule: what, on which node, when and for how long.
struct ChaosFault: Equatable, Sendable {
    var kind: ChaosFaultKind
    /// The node to break; for a pause, the one taken when no node is known to lead.
    var node: UInt32
    /// When it begins, counted from the start of the faults.
    var start: Duration
    /// How long the node stays broken before it is healed.
    var hold: Duration

    /// When it is healed, counted from the start of the faults.
    var end: Duration { start + hold }

    /// The node it breaks, given the nodes `serving` now and how many of the load's cells each
    /// node was `leading` at the last survey: for a pause or a stall, the serving node that
    /// leads the most (the scheduled node among equals); for a kill, and when no serving node
    /// is known to lead, the scheduled node if it serves, else the first that does; nil if
    /// none serves.
    func target(serving: [UInt32], leading: [UInt32: Int]) -> UInt32? {
        if kind != .kill, let most = serving.map({ leading[$0, default: 0] }).max(), most > 0 {
            let leaders = serving.filter { leading[$0, default: 0] == most }
            return leaders.contains(node) ? node : leaders.first
        }
        return serving.contains(node) ? node : serving.first
    }
}

/// The shape of a schedule: its length, the kinds of fault it draws from, how far apart
/// faults start and how long each lasts, and how many nodes may be broken at once.
struct ChaosScheduleOptions: Sendable {
    /// The nodes of the colony, numbered from 1.
    var nodes = 3
    /// Faults begin and end within this time.
    var length: Duration = .seconds(10)
    /// The kinds of fault drawn, each as likely as the others.
    var kinds: [ChaosFaultKind] = ChaosFaultKind.allCases
    /// The time from one fault's start to the next one's, drawn evenly from this range.
    var gapMilliseconds: ClosedRange<Int64> = 500...2_000
    /// How long a fault lasts, drawn evenly from this range (shortened to end within `length`).
    var holdMilliseconds: ClosedRange<Int64> = 1_000...3_000
    /// The most nodes broken at once: a minority unless asked otherwise.
    var brokenMax = 1

    /// A minority of `nodes`: the most nodes a colony of that size can lose and still decide.
    static func minority(of nodes: Int) -> Int {
        (nodes - 1) / 2
    }
}

/// The faults of one chaos run, drawn from a seed: the same seed and options give the same
/// schedule, so a run's faults can be told again (`colony chaos --seed S`).
///
/// Faults start one gap apart; each lasts its hold, cut short to end within the schedule's
/// length. A fault that would break more than `brokenMax` nodes at once waits until one heals;
/// its node is drawn among those not broken over its whole hold.
struct ChaosSchedule: Equatable, Sendable {
    /// The faults, by start.
    var faults: [ChaosFault]

    /// The schedule of `seed` for `options`.
    init(seed: UInt64, options: ChaosScheduleOptions) {
        precondition(options.nodes >= 1 && options.brokenMax >= 1 && !options.kinds.isEmpty, "Invalid state: unchecked chaos options")
        var random = SplitMix64(seed: seed)
        var faults: [ChaosFault] = []
        var start = Duration.milliseconds(Self.draw(options.gapMilliseconds, &random))
        let holdMin = Duration.milliseconds(options.holdMilliseconds.lowerBound)
        while start + holdMin <= options.length {
            let kind = options.kinds[Int(random.next() % UInt64(options.kinds.count))]
            let hold = min(.milliseconds(Self.draw(options.holdMilliseconds, &random)), options.length - start)
            let overlapping = faults.filter { $0.start < start + hold && start < $0.end }
            if overlapping.count >= options.brokenMax, let earliest = overlapping.map(\.end).min() {
                start = earliest
                continue
            }
            let busy = Set(overlapping.map(\.node))
            let free = (1...UInt32(options.nodes)).filter { !busy.contains($0) }
            let node = free[Int(random.next() % UInt64(free.count))]
            faults.append(ChaosFault(kind: kind, node: node, start: start, hold: hold))
            start += .milliseconds(Self.draw(options.gapMilliseconds, &random))
        }
        self.faults = faults
    }

    /// How many faults of each kind the schedule holds.
    var countsByKind: [ChaosFaultKind: Int] {
        faults.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    private static func draw(_ range: ClosedRange<Int64>, _ random: inout SplitMix64) -> Int64 {
        range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}
