import ArgumentParser
import ColonyControl
import ColonyCore

/// `colony cell move NAME --near ZONE | --off NODE | --to NODES`.
struct CellMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a cell toward its clients' zone, off a node, or onto chosen nodes, one membership change at a time.",
        discussion: "The directory records where the cell should be as its target, and the control loop moves the cell there, one member at a time, throttled and pausable like a drain. --near ZONE lets the placer choose for clients in ZONE (a majority and the preferred leader there); --off NODE replaces one member by the placer's choice; --to 1,4,7 names every member.")
    @Argument(help: "The cell's name.") var name: String
    @Option(help: "The zone of the cell's clients.") var near: String?
    @Option(help: "A member to move the cell off.") var off: UInt32?
    @Option(help: "The node ids the cell should have, comma-separated.") var to: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard [near != nil, off != nil, to != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --near ZONE, --off NODE or --to NODES")
        }
        if let to, nodes(to) == nil { throw ValidationError("--to takes node ids separated by commas, such as 1,4,7") }
    }

    func run() async throws {
        let destination: CellTargeting.Destination
        if let near {
            destination = .near(zone: near)
        } else if let off {
            destination = .off(NodeID(off))
        } else {
            destination = .onto(nodes(to ?? "") ?? [])
        }
        let (written, note) = try await options.withDirectory { directory in
            (try await OperatorCommand.move(cell: name, destination).run(directory: directory).written, await ClientOptions.pausedNote(directory))
        }
        guard case .cell(let record) = written else { preconditionFailure("Invalid state: a move wrote \(written), not a cell's record") }
        guard let target = record.target else {
            options.show("\(name) is there already", json: ["cell": name, "moves": 0])
            return
        }
        let moves = target.members.filter { !record.placement.members.contains($0) }.count
        options.show(
            "\(name) will move to \(target.members.map(\.description).joined(separator: ",")) (\(moves) move\(moves == 1 ? "" : "s"), one at a time, by the control loop)\(note)",
            json: ["cell": name, "target": target.members.map(\.rawValue), "moves": moves])
    }

    /// The node ids of a comma-separated list, or nil if one is not a node id.
    private func nodes(_ text: String) -> [NodeID]? {
        let ids = text.split(separator: ",").map { UInt32($0.trimmingCharacters(in: .whitespaces)) }
        guard !ids.isEmpty, ids.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return ids.compactMap { $0.map(NodeID.init) }
    }
}
