import Foundation

/// What `colony bench scale` measured, and the one table it prints: a column per node for
/// what each node holds and costs while the cells are idle, then a row per colony-wide phase.
struct ScaleFigures {
    /// One node's figures once the cells settled, and over the idle window.
    struct Node {
        var node: UInt32
        /// Replicas the node hosts.
        var replicas: Int
        /// Replicas here that lead their cell.
        var leaders: Int
        /// Replicas here at rest; nil when the node does not report it (a build before quiescence).
        var resting: Int?
        /// CPU use over the idle window, as a percentage of one core.
        var idleCPUPercent: Double
        /// Resident memory just after the node started, before any cell was created.
        var residentEmptyBytes: Int
        /// Resident memory at the end of the idle window.
        var residentBytes: Int
        /// Frames sent to peers per second over the idle window.
        var framesPerSecond: Double
        /// Replica messages in those frames per second.
        var messagesPerSecond: Double

        /// Resident memory gained over the empty start, per replica hosted.
        var residentBytesPerReplica: Double? {
            replicas > 0 ? Double(residentBytes - residentEmptyBytes) / Double(replicas) : nil
        }
    }

    /// How the cells were created, and how fast.
    struct Creation {
        /// The way each cell was created, as the table names it.
        var path: String
        var cells: Int
        var seconds: Double
        /// Cells that could not be created.
        var failed: Int
        /// Each node's CPU use meanwhile, as a percentage of one core.
        var nodesCPUPercent: [(node: UInt32, percent: Double)]
        /// This process's CPU use meanwhile (the client's side), as a percentage of one core.
        var clientCPUPercent: Double
    }

    /// How long the cells took to elect their leaders and come to rest.
    struct Settling {
        var seconds: Double
        /// Whether they did within the bound, or the wait ended there.
        var settled: Bool
        var leaders: Int
        /// Replicas at rest colony-wide; nil when the nodes do not report it.
        var resting: Int?
        var replicas: Int
        /// Resting followers that stood because the node they trusted to lead went silent or
        /// restarted, colony-wide (none while every node is alive and keeps up); nil when the
        /// nodes do not report it.
        var followersOfLostLeaders: Int?

        /// What the nodes report: leaders, replicas resting, followers of lost leaders.
        var counts: String {
            var line = "\(grouped(leaders)) leaders, \(resting.map(grouped) ?? "?") of \(grouped(replicas)) replicas resting"
            if let followersOfLostLeaders, followersOfLostLeaders > 0 {
                line += ", \(grouped(followersOfLostLeaders)) followers stood after their leader's node went silent or restarted"
            }
            return line
        }
    }

    /// A killed node's cells serving again.
    struct Failover {
        var node: UInt32
        /// Cells the node led when it was killed.
        var cellsLed: Int
        /// Seconds from the kill until a linearizable read of every one of them succeeded.
        var seconds: Double
        /// Seconds from the kill until the survivors' metrics counted a leader for every cell
        /// (`colony_leaders`, polled every second), the reads running meanwhile; nil if they
        /// did not within the wait.
        var ledSeconds: Double?
        /// Cells whose read still failed when the wait ended.
        var failed: Int
        /// Leader changes on the surviving nodes meanwhile.
        var elections: Int
        /// The largest CPU use of each survivor over one second, as a percentage of one core.
        var survivorsPeakCPUPercent: [(node: UInt32, percent: Double)]
    }

    /// The killed node coming back.
    struct Restart {
        var node: UInt32
        /// Seconds from its start until it said it serves (recovered, listening); nil if it did
        /// not within the wait.
        var answeredSeconds: Double?
        /// Seconds from its start until each of its replicas named its cell's leader, by its
        /// metrics (`colony_replicas_without_leader` 0, read once a second, the reads running
        /// meanwhile): a request for any of its cells then goes straight to the leader. Nil if
        /// not within the wait.
        var leadersKnownSeconds: Double?
        /// Cells with a replica on it.
        var cells: Int
        /// Seconds from its start until a read of every one of them, through it, succeeded.
        var servedSeconds: Double
        /// Cells whose read still failed when the wait ended.
        var failed: Int
    }

    var nodeCount: Int
    var replicas: Int
    var cells: Int
    /// The executable the nodes ran.
    var executable: String
    var idleSeconds: Double
    var creation: Creation
    var settling: Settling
    var nodes: [Node]
    /// The writes of `writeCallers` callers over randomly chosen cells.
    var writes: LoadFigures
    var writeCallers: Int
    /// The reads under way at once that time the failover and the restart.
    var readsInFlight: Int
    var failover: Failover?
    var restart: Restart?

    /// The width of the figures' names, and of each node's column.
    static let labelWidth = 48
    static let columnWidth = 12

    /// The table, one line each.
    var lines: [String] {
        var lines = [
            "colony bench scale: \(nodeCount) nodes, \(replicas) replicas per cell, \(grouped(cells)) cells; nodes run \(executable)",
            row("figure", nodes.map { "n\($0.node)" }),
            row("replicas", nodes.map { grouped($0.replicas) }),
            row("leading", nodes.map { grouped($0.leaders) }),
            row("resting", nodes.map { $0.resting.map(grouped) ?? "not told" }),
            row("idle CPU over \(Self.number(idleSeconds)) s, % of a core", nodes.map { String(format: "%.1f %%", $0.idleCPUPercent) }),
            row("RSS at an empty start", nodes.map { Self.mebibytes($0.residentEmptyBytes) }),
            row("RSS settled, after the idle window", nodes.map { Self.mebibytes($0.residentBytes) }),
            row("RSS per replica (settled - empty)", nodes.map { $0.residentBytesPerReplica.map(Self.kibibytes) ?? "-" }),
            row("peer frames/s while idle", nodes.map { String(format: "%.1f", $0.framesPerSecond) }),
            row("peer messages/s while idle", nodes.map { String(format: "%.1f", $0.messagesPerSecond) }),
            wide("creation", creationText),
            wide("settling: every cell led, resting steady", settlingText),
            wide("writes/s, \(writeCallers) callers, random cells", writesText),
        ]
        if let failover {
            lines.append(wide("failover: n\(failover.node) SIGKILLed", failoverText(failover)))
        }
        if let restart {
            lines.append(wide("restart of n\(restart.node)", restartText(restart)))
        }
        return lines
    }

    private var creationText: String {
        let rate = Double(creation.cells - creation.failed) / max(creation.seconds, 1e-9)
        let failed = creation.failed == 0 ? "" : ", \(grouped(creation.failed)) FAILED"
        let cpu = creation.nodesCPUPercent.map { "n\($0.node) \(String(format: "%.0f %%", $0.percent))" }
            + [String(format: "client %.0f %%", creation.clientCPUPercent)]
        return "\(grouped(Int(rate.rounded()))) cells/s via \(creation.path) (\(grouped(creation.cells)) cells in "
            + "\(Format.seconds(creation.seconds))\(failed)); CPU meanwhile \(cpu.joined(separator: ", "))"
    }

    private var settlingText: String {
        let resting = settling.resting.map { "\(grouped($0)) of \(grouped(settling.replicas)) replicas resting" } ?? "resting not told"
        let outcome = settling.settled ? "settled after" : "NOT settled within"
        return "\(outcome) \(Format.seconds(settling.seconds)): \(grouped(settling.leaders)) leaders, \(resting)"
    }

    private var writesText: String {
        let rate = writes.perSecond
        return "\(grouped(Int(rate.rounded()))) writes/s over \(Format.seconds(writes.seconds)), \(grouped(writes.errors)) errors, "
            + "p50 \(Format.milliseconds(writes.latency(atPercent: 50))), p99 \(Format.milliseconds(writes.latency(atPercent: 99)))"
    }

    private func failoverText(_ failover: Failover) -> String {
        let outcome = failover.failed == 0
            ? "all \(grouped(failover.cellsLed)) cells it led served again after \(Format.seconds(failover.seconds)) (\(readsInFlight) reads in flight)"
            : "\(grouped(failover.failed)) of its \(grouped(failover.cellsLed)) cells NOT served within \(Format.seconds(failover.seconds))"
        let peaks = failover.survivorsPeakCPUPercent.map { "n\($0.node) \(String(format: "%.0f %%", $0.percent))" }
        let rate = Double(failover.elections) / max(failover.seconds, 1e-9)
        let led = failover.ledSeconds.map { "every cell led again after \(Format.seconds($0)); " } ?? "the survivors never counted a leader for every cell; "
        return "\(led)\(outcome); \(grouped(failover.elections)) elections (\(Self.number(rate))/s); survivors' peak CPU "
            + peaks.joined(separator: ", ")
    }

    private func restartText(_ restart: Restart) -> String {
        guard let answered = restart.answeredSeconds else {
            return "did NOT serve within \(Format.seconds(restart.servedSeconds))"
        }
        let outcome = restart.failed == 0
            ? "all \(grouped(restart.cells)) of its cells read through it after \(Format.seconds(restart.servedSeconds)) (\(readsInFlight) reads in flight)"
            : "\(grouped(restart.failed)) of its \(grouped(restart.cells)) cells NOT read within \(Format.seconds(restart.servedSeconds))"
        let known = restart.leadersKnownSeconds.map { "every replica there knew its leader after \(Format.seconds($0)); " }
            ?? "some replica there still knew no leader; "
        return "serving after \(Format.seconds(answered)); \(known)\(outcome)"
    }

    /// A figure's name and one value per node, in columns.
    private func row(_ label: String, _ values: [String]) -> String {
        Format.padded(label, Self.labelWidth) + values.map { Format.padded($0, Self.columnWidth, right: true) }.joined()
    }

    /// A colony-wide figure: its name and one value across the node columns.
    private func wide(_ label: String, _ value: String) -> String {
        Format.padded(label, Self.labelWidth) + "  " + value
    }

    /// A figure with no more digits than it has meaning: `30`, `2.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    static func kibibytes(_ bytes: Double) -> String {
        String(format: "%.2f KiB", bytes / 1_024)
    }
}
