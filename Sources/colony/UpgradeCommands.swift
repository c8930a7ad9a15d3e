import ArgumentParser
import ColonyControl
import ColonyCore
import Foundation

/// `colony upgrade status|finish`: the format level a colony writes, and raising it once every
/// node runs a build that reads the next (see `FormatLevel`).
struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Show each node's build and the colony's format level, and raise the level once every node reads it.",
        discussion: """
            A rolling upgrade: restart the nodes one at a time on the new build (`colony upgrade status` \
            shows each node's build and the levels it reads). Until the level is raised, the new build \
            writes what the old one reads, so any node can go back to the old build. Once every node reads \
            the next level, `colony upgrade finish` records it in the directory; each node writes it within \
            about 2 s, and from then on the old build can neither speak to its peers nor read its data.
            """,
        subcommands: [UpgradeStatusCommand.self, UpgradeFinishCommand.self])
}

/// `colony upgrade status`.
struct UpgradeStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the colony's format level and each node's release, the levels it reads and the level it writes.",
        discussion: "Each node's build is read from its admin endpoint (its record's admin address, plain HTTP); gone nodes are left out.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let survey = try await options.withDirectory { try await UpgradeSurvey.read(from: $0) }
        options.show(survey.lines.joined(separator: "\n"), json: survey.json)
    }
}

/// `colony upgrade finish`.
struct UpgradeFinishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Raise the colony's format level to one every node reads, and wait until every node writes it.",
        discussion: """
            Refused unless every node not gone answers and reads the level. The level is written by \
            compare-and-set, so two admins never cross; it is never lowered. Needs the admin role when \
            authorization is on.
            """)
    @Option(help: "The level to raise to (default: the highest every node reads).") var level: Int?
    @Option(help: "How long to wait for every node to write the new level.") var waitSeconds = 30
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.withDirectory { directory in
            let survey = try await UpgradeSurvey.read(from: directory)
            guard let target = level ?? survey.commonLevel else {
                throw CommandFailure(.conditionFailed, survey.finishProblem(to: survey.recorded.number + 1) ?? survey.verdict)
            }
            if let problem = survey.finishProblem(to: target) { throw CommandFailure(.conditionFailed, problem) }
            guard let raised = FormatLevel(target), try await directory.raiseFormats(to: raised, from: survey.recordVersion) else {
                throw CommandFailure(.conditionFailed, "the colony's format level changed while this command read it; run it again")
            }
            let lagging = await Self.waitUntilWritten(raised, by: survey.nodes.map(\.record), seconds: waitSeconds)
            guard lagging.isEmpty else {
                let now = (try? await UpgradeSurvey.read(from: directory).verdict) ?? "see `colony upgrade status`"
                throw CommandFailure(
                    .unavailable,
                    "the colony's format level is \(target) now, but nodes \(lagging.map(String.init).joined(separator: ", ")) did not say they write it within \(waitSeconds) s: \(now)")
            }
            options.show(
                "the colony writes format \(raised) now, and so does every node; a build that reads only lower levels can no longer run here",
                json: ["level": target, "nodes": survey.nodes.count])
        }
    }

    /// The ids of the nodes that did not report writing `level` within `seconds`.
    static func waitUntilWritten(_ level: FormatLevel, by nodes: [NodeRecord], seconds: Int) async -> [UInt32] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var lagging = nodes
        while true {
            let reports = await UpgradeSurvey.reports(of: lagging)
            lagging = lagging.filter { node in
                guard case .success(let report)? = reports[node.id] else { return true }
                return report.levelWritten < level.number
            }
            guard !lagging.isEmpty, ContinuousClock.now < deadline else { return lagging.map(\.id) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}

extension UpgradeSurvey {
    /// The survey of the colony `directory` describes: its recorded level and every node not
    /// gone, each asked at once.
    static func read(from directory: Directory) async throws -> UpgradeSurvey {
        let (recorded, version) = try await directory.formats()
        let nodes = try await directory.nodes().filter { $0.state != .gone }
        let reports = await reports(of: nodes)
        return UpgradeSurvey(
            recorded: recorded, recordVersion: version,
            nodes: nodes.map { Node(record: $0, report: reports[$0.id] ?? .failure(Unknown(reason: "not asked"))) })
    }

    /// Each node's build, read from its admin endpoint, every node at once (each waiting at
    /// most 2 s).
    static func reports(of nodes: [NodeRecord]) async -> [UInt32: Result<NodeBuildReport, Unknown>] {
        let pages = await AdminScrape.getAll("/metrics", from: nodes.map(\.adminAddress), waitSeconds: 2)
        var reports: [UInt32: Result<NodeBuildReport, Unknown>] = [:]
        for (node, page) in zip(nodes, pages) {
            guard let admin = node.adminAddress else {
                reports[node.id] = .failure(Unknown(reason: "its record has no admin address, where its build is read"))
                continue
            }
            guard let page else {
                reports[node.id] = .failure(Unknown(reason: "its admin endpoint \(admin) does not answer"))
                continue
            }
            reports[node.id] = NodeBuildReport(metrics: page).map { .success($0) }
                ?? .failure(Unknown(reason: "its admin endpoint \(admin) reports no build facts"))
        }
        return reports
    }
}
