import ArgumentParser
import ColonyControl
import ColonyCore
import ColonyNode

/// `colony node join --config FILE`.
///
/// The operator joins a node, not the node itself: recording a node is a write to the
/// directory, which only the control plane's admin makes (nodes may only read the colony's
/// own cells, and never call into the control plane), so a node's certificate never grants
/// a place in the colony by itself.
struct NodeJoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Record a new node in the directory: the colony's nodes learn its addresses and the control loop places replicas on it.",
        discussion: """
            Reads the node's own entry (addresses, zone, rack, color) from its configuration file: the file it runs with, \
            which needs to list only itself and one or more existing nodes to reach the directory through. Start the node, \
            then run this with an admin's certificate. Every node reads the directory's node records and dials the new node \
            without a restart; the control loop (`colony control run`) rebalances replicas onto it. Refused when the id is \
            recorded with other addresses, another node listens at its addresses, an address is malformed, the id is gone, \
            or the authorization policy revokes the node's identity, or when the colony writes a format level above 1 \
            and the node's admin endpoint does not say its build reads it (`colony upgrade status`). \
            Joining again with the same addresses changes nothing.
            """)
    @Option(help: "The joining node's configuration file (JSON).") var config: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let nodeConfig = try NodeConfig.loadForCommand(path: config)
        let record = NodeRecord(nodeConfig.own)
        try await options.withDirectory { directory in
            if let problem = try await Self.formatProblem(joining: record, directory: directory) {
                throw CommandFailure(.conditionFailed, problem)
            }
            let (before, written) = try await OperatorCommand.join(record).run(directory: directory)
            guard case .node(let joined) = written else {
                preconditionFailure("Invalid state: a join wrote \(written), not a node record")
            }
            let again = before.nodes.contains { $0.id == joined.id }
            let note = await ClientOptions.pausedNote(directory)
            options.show(
                "node \(joined.id) \(again ? "is recorded already" : "joined") (\(joined.state.rawValue); peer \(joined.peerAddress), client \(joined.clientAddress), zone \(joined.zone), rack \(joined.rack)); the control loop rebalances replicas onto it" + note,
                json: ["node": joined.id, "state": joined.state.rawValue, "again": again, "peerAddress": joined.peerAddress, "clientAddress": joined.clientAddress])
        }
    }

    /// Why `record`'s node may not join the colony of `directory` for its build, or nil: its
    /// admin endpoint says it does not read the format level the colony writes, or, above level
    /// 1 (which every build reads), does not say what it reads.
    static func formatProblem(joining record: NodeRecord, directory: Directory) async throws -> String? {
        let level: FormatLevel
        do {
            level = try await directory.formats().level
        } catch .malformedRecord(_, let reason) {
            return "the colony's format level cannot be read by this build of colony (\(reason)): run a newer colony"
        }
        let report = await UpgradeSurvey.reports(of: [record])[record.id]
        switch report {
        case .success(let build) where !build.levelsRead.contains(level.number):
            return "node \(record.id) runs \(build.version), which reads format levels \(build.levelsText), and the colony writes format \(level): run a build that reads it"
        case .failure(let unknown) where level > .first:
            return "the colony writes format \(level), and whether node \(record.id)'s build reads it is unknown: \(unknown.reason)"
        default:
            return nil
        }
    }
}
