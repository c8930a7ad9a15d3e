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
    /// Cut a node off from every other node (its peer traffic dropped both ways, inside its
    /// network namespace), preferring one that leads the load's cells; clients still reach it.
    case partition
    /// Cut the nodes of one zone off from the nodes of every other zone, both ways.
    case zonePartition = "zone-partition"
    /// Drop a fraction of a node's peer packets, both ways, preferring one that leads cells.
    case loss
    /// Fill the disk of a node that leads cells (every free byte of its data directory's own
    /// small filesystem taken by a ballast file): it stops at the first write it cannot make
    /// durable; the heal deletes the ballast and starts the node again on its data.
    case diskFull = "disk-full"
    /// Start a node that leads cells again with its wall clock set off by the fault's offset
    /// (libfaketime; its monotonic clock, which drives its ticks, left alone), as a machine
    /// whose time service went wrong; the heal starts it again on the true time.
    case clockSkew = "clock-skew"

    /// The kinds put on node processes, which any local colony takes.
    static let processKinds: [ChaosFaultKind] = [.kill, .pause, .stall]
    /// The kinds put on a node's network, which need a colony in network namespaces.
    static let networkKinds: [ChaosFaultKind] = [.partition, .zonePartition, .loss]
    /// The kinds put on a node's disk, which need each node's data on a volume of its own
    /// (`NodeVolumes`, root only): drawn only when asked for.
    static let diskKinds: [ChaosFaultKind] = [.diskFull]
    /// The kinds put on a node's clock, which need libfaketime (`FakeTime`): drawn only when
    /// asked for.
    static let clockKinds: [ChaosFaultKind] = [.clockSkew]
    /// The kinds drawn only when named: they need more than a local colony (root, a library).
    static let namedKinds: [ChaosFaultKind] = diskKinds + clockKinds

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
    /// The nodes it breaks: `node` alone, or for a zone partition every node of its zone.
    var nodes: [UInt32]
    /// For a clock skew, how far the node's wall clock is set off, in seconds: ahead if
    /// positive, behind if negative; 0 for the other kinds.
    var clockOffsetSeconds: Int64

    /// A fault of `kind` breaking `nodes` (by default `node` alone), a clock skew setting
    /// their clocks off by `clockOffsetSeconds`.
    init(kind: ChaosFaultKind, node: UInt32, start: Duration, hold: Duration, nodes: [UInt32]? = nil, clockOffsetSeconds: Int64 = 0) {
        self.kind = kind
        self.node = node
        self.start = start
        self.hold = hold
        self.nodes = nodes ?? [node]
        self.clockOffsetSeconds = clockOffsetSeconds
    }

    /// When it is healed, counted from the start of the faults.
    var end: Duration { start + hold }

    /// The node it breaks, given the nodes `serving` now and how many of the load's cells each
    /// node was `leading` at the last survey: for a pause, a stall and every other kind but a
    /// kill and a zone partition, the serving node that leads the most (the scheduled node
    /// among equals); for a kill, and when no serving node is known to lead, the scheduled
    /// node if it serves, else the first that does; nil if none serves. (A zone partition
    /// breaks the scheduled zone, `nodes`, whatever this says.)
    func target(serving: [UInt32], leading: [UInt32: Int]) -> UInt32? {
        if kind != .kill, kind != .zonePartition, let most = serving.map({ leading[$0, default: 0] }).max(), most > 0 {
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
    /// The zones the nodes are spread over in turn, as `LocalNodes` spreads them: node `i` is
    /// in zone `(i - 1) mod zones + 1`.
    var zones = 3
    /// Faults begin and end within this time.
    var length: Duration = .seconds(10)
    /// The kinds of fault drawn, each as likely as the others.
    var kinds: [ChaosFaultKind] = ChaosFaultKind.processKinds
    /// The time from one fault's start to the next one's, drawn evenly from this range.
    var gapMilliseconds: ClosedRange<Int64> = 500...2_000
    /// How long a fault lasts, drawn evenly from this range (shortened to end within `length`).
    var holdMilliseconds: ClosedRange<Int64> = 1_000...3_000
    /// The most nodes broken at once: a minority unless asked otherwise.
    var brokenMax = 1
    /// The largest offset a clock skew sets a node's wall clock off by, either way, in
    /// seconds: each skew's offset is drawn evenly from 1 to this, ahead or behind.
    var clockSkewSecondsMax: Int64 = 300

    /// A minority of `nodes`: the most nodes a colony of that size can lose and still decide.
    static func minority(of nodes: Int) -> Int {
        (nodes - 1) / 2
    }

    /// The nodes of each zone, zone 1 first.
    var nodesByZone: [[UInt32]] {
        let zoneCount = max(1, min(zones, nodes))
        return (0..<zoneCount).map { zone in
            (1...UInt32(nodes)).filter { Int($0 - 1) % zoneCount == zone }
        }
    }

    /// Whether a zone partition can ever be drawn: every zone holds at most `brokenMax` nodes
    /// and at least one other zone stays on the other side.
    var zonePartitionFits: Bool {
        nodesByZone.count >= 2 && nodesByZone.allSatisfy { $0.count <= brokenMax }
    }
}

/// The faults of one chaos run, drawn from a seed: the same seed and options give the same
/// schedule, so a run's faults can be told again (`colony chaos --seed S`).
///
/// Faults start one gap apart; each lasts its hold, cut short to end within the schedule's
/// length. A fault that would break more than `brokenMax` nodes at once waits until one heals;
/// its node (for a zone partition, its zone) is drawn among those not broken over its whole
/// hold.
struct ChaosSchedule: Equatable, Sendable {
    /// The faults, by start.
    var faults: [ChaosFault]

    /// The schedule of `seed` for `options`.
    init(seed: UInt64, options: ChaosScheduleOptions) {
        precondition(options.nodes >= 1 && options.brokenMax >= 1 && !options.kinds.isEmpty, "Invalid state: unchecked chaos options")
        precondition(!options.kinds.contains(.zonePartition) || options.zonePartitionFits, "Invalid state: a zone too large to partition")
        precondition(options.clockSkewSecondsMax >= 1, "Invalid state: unchecked clock skew bound")
        var random = SplitMix64(seed: seed)
        var faults: [ChaosFault] = []
        var start = Duration.milliseconds(Self.draw(options.gapMilliseconds, &random))
        let holdMin = Duration.milliseconds(options.holdMilliseconds.lowerBound)
        while start + holdMin <= options.length {
            let kind = options.kinds[Int(random.next() % UInt64(options.kinds.count))]
            let hold = min(.milliseconds(Self.draw(options.holdMilliseconds, &random)), options.length - start)
            let overlapping = faults.filter { $0.start < start + hold && start < $0.end }
            let busy = Set(overlapping.flatMap(\.nodes))
            let choices = Self.choices(for: kind, busy: busy, options: options)
            guard !choices.isEmpty else {
                // Nothing fits beside the faults under way (the options' precondition makes
                // sure something fits once none is): start when the first of them ends.
                start = overlapping.map(\.end).min() ?? options.length
                continue
            }
            let nodes = choices[Int(random.next() % UInt64(choices.count))]
            // Drawn for a clock skew only, so that the schedules of the other kinds stay as
            // their seeds always drew them.
            let offset = kind == .clockSkew ? Self.drawOffset(upTo: options.clockSkewSecondsMax, &random) : 0
            faults.append(ChaosFault(kind: kind, node: nodes[0], start: start, hold: hold, nodes: nodes, clockOffsetSeconds: offset))
            start += .milliseconds(Self.draw(options.gapMilliseconds, &random))
        }
        self.faults = faults
    }

    /// How many faults of each kind the schedule holds.
    var countsByKind: [ChaosFaultKind: Int] {
        faults.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// The sets of nodes a fault of `kind` may break while the nodes `busy` are broken: each
    /// zone wholly free for a zone partition, each free node for the other kinds, as long as
    /// no more than `brokenMax` nodes are broken in all.
    private static func choices(for kind: ChaosFaultKind, busy: Set<UInt32>, options: ChaosScheduleOptions) -> [[UInt32]] {
        let candidates: [[UInt32]]
        switch kind {
        case .zonePartition:
            candidates = options.nodesByZone.filter { zone in zone.allSatisfy { !busy.contains($0) } }
        case .kill, .pause, .stall, .partition, .loss, .diskFull, .clockSkew:
            candidates = (1...UInt32(options.nodes)).filter { !busy.contains($0) }.map { [$0] }
        }
        return candidates.filter { busy.count + $0.count <= options.brokenMax }
    }

    /// An offset of 1 to `bound` seconds, ahead or behind, each as likely.
    private static func drawOffset(upTo bound: Int64, _ random: inout SplitMix64) -> Int64 {
        let magnitude = draw(1...bound, &random)
        return random.next() % 2 == 0 ? magnitude : -magnitude
    }

    private static func draw(_ range: ClosedRange<Int64>, _ random: inout SplitMix64) -> Int64 {
        range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}
