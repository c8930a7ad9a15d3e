import ColonyControl
import ColonyCore
import ColonyPlacement

/// One node's build, as its admin endpoint's metrics report it: the release, the format
/// levels it reads (`colony_build_info`'s labels) and the level it writes
/// (`colony_format_level`).
struct NodeBuildReport: Equatable, Sendable {
    /// The release, "+rehearsal" marked.
    var version: String
    /// The format level numbers the build reads.
    var levelsRead: ClosedRange<Int>
    /// The format level number the node writes now.
    var levelWritten: Int

    /// The report a metrics page holds, or nil when it holds no build facts.
    init?(metrics page: String) {
        guard let info = page.split(separator: "\n").first(where: { $0.hasPrefix("colony_build_info{") }),
              let open = info.firstIndex(of: "{"), let close = info.lastIndex(of: "}")
        else { return nil }
        var labels: [String: String] = [:]
        for pair in info[info.index(after: open)..<close].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: ["\""]))
        }
        guard let version = labels["version"], let levels = labels["format_levels"], let read = Self.range(levels),
              let written = AdminScrape.metric("colony_format_level", in: page)
        else { return nil }
        self.init(version: version, levelsRead: read, levelWritten: Int(written))
    }

    /// A report of these facts.
    init(version: String, levelsRead: ClosedRange<Int>, levelWritten: Int) {
        self.version = version
        self.levelsRead = levelsRead
        self.levelWritten = levelWritten
    }

    /// "1" or "1-2" as a range.
    static func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == text.split(separator: "-").count, let low = bounds.first, let high = bounds.last, bounds.count <= 2,
              low <= high
        else { return nil }
        return low...high
    }

    /// The levels read, as an operator reads them: "1" or "1-2".
    var levelsText: String { levelsRead.count == 1 ? "\(levelsRead.lowerBound)" : "\(levelsRead.lowerBound)-\(levelsRead.upperBound)" }
}

/// What `colony upgrade` sees of a colony: the level its directory records, and each node's
/// build (or why it is not known). Pure: the command reads the directory and the nodes'
/// admin endpoints, and this decides what can be done.
struct UpgradeSurvey: Sendable {
    /// One node not gone, with its build or why it could not be read.
    struct Node: Sendable {
        /// The node's record.
        var record: NodeRecord
        /// Its build, or why it is unknown.
        var report: Result<NodeBuildReport, Unknown>
    }

    /// Why a node's build is unknown.
    struct Unknown: Error, Sendable {
        /// In words.
        var reason: String
    }

    /// The level the directory records (level 1 when none is).
    var recorded: FormatLevel
    /// The version of its record (0: none written), for the compare-and-set that raises it.
    var recordVersion: UInt64 = 0
    /// The nodes, gone ones left out, in id order.
    var nodes: [Node]

    /// The highest level every node reads, or nil when some node's build is unknown or the
    /// colony has no node.
    var commonLevel: Int? {
        var common: Int?
        for node in nodes {
            guard case .success(let report) = node.report else { return nil }
            common = min(common ?? report.levelsRead.upperBound, report.levelsRead.upperBound)
        }
        return common
    }

    /// Why the colony cannot be raised to level `target`, or nil when it can: every node's
    /// build is known and reads it, and it is above the level recorded.
    func finishProblem(to target: Int) -> String? {
        guard let level = FormatLevel(target) else {
            return "format level \(target) is unknown to this build of colony, which knows levels \(FormatLevel.known.lowerBound)-\(FormatLevel.known.upperBound)"
        }
        guard level > recorded else { return "the colony writes \(recorded) already; a level is never lowered" }
        var problems: [String] = []
        for node in nodes {
            switch node.report {
            case .failure(let unknown):
                problems.append("node \(node.record.id): \(unknown.reason)")
            case .success(let report) where !report.levelsRead.contains(target):
                problems.append("node \(node.record.id) runs \(report.version), which reads levels \(report.levelsText)")
            case .success:
                continue
            }
        }
        guard problems.isEmpty else {
            return "not every node reads format level \(target): \(problems.joined(separator: "; ")); upgrade those nodes first (every node of the colony must read a level before it is raised)"
        }
        return nil
    }

    /// The survey in lines: the level recorded, each node, and what can be done.
    var lines: [String] {
        var lines = ["the colony writes format \(recorded)"]
        for node in nodes {
            let name = "node \(node.record.id) (\(node.record.zone)/\(node.record.rack)\(node.record.state == .active ? "" : ", \(node.record.state)"))"
            switch node.report {
            case .success(let report):
                lines.append("\(name): \(report.version), reads levels \(report.levelsText), writes level \(report.levelWritten)")
            case .failure(let unknown):
                lines.append("\(name): build unknown: \(unknown.reason)")
            }
        }
        lines.append(verdict)
        return lines
    }

    /// What can be done now, in a sentence.
    var verdict: String {
        let unable = nodes.filter { if case .success(let report) = $0.report { !report.levelsRead.contains(recorded.number) } else { false } }
        if !unable.isEmpty {
            return "nodes \(unable.map { String($0.record.id) }.joined(separator: ", ")) run a build that cannot read the colony's \(recorded), and stop: restart them on a build that does"
        }
        guard let common = commonLevel else {
            let stopped = recorded > .first ? " (a node whose build cannot read \(recorded) stops, and says so in its log)" : ""
            return "the build of some node is unknown\(stopped): `colony upgrade finish` waits until every node answers"
        }
        let behind = nodes.filter { if case .success(let report) = $0.report { report.levelWritten < recorded.number } else { false } }
        if !behind.isEmpty {
            return "nodes \(behind.map { String($0.record.id) }.joined(separator: ", ")) have not yet read the colony's level (they read it every 2 s)"
        }
        if common > recorded.number {
            return "every node reads level \(common): `colony upgrade finish` raises the colony to it, after which no build that reads only lower levels can run here. Until then any node can go back to the build it ran before"
        }
        return "no level above \(recorded.number) is read by every node: nothing to finish. Any node can run any build that reads level \(recorded.number)"
    }

    /// The survey as JSON.
    var json: [String: Any] {
        [
            "recordedLevel": recorded.number,
            "commonLevel": commonLevel as Any,
            "nodes": nodes.map { node -> [String: Any] in
                var object: [String: Any] = ["id": node.record.id, "zone": node.record.zone, "state": node.record.state.rawValue]
                switch node.report {
                case .success(let report):
                    object["version"] = report.version
                    object["levelsRead"] = report.levelsText
                    object["levelWritten"] = report.levelWritten
                case .failure(let unknown):
                    object["problem"] = unknown.reason
                }
                return object
            },
            "verdict": verdict,
        ]
    }
}
