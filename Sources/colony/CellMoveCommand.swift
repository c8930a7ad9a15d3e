import ArgumentParser
import ColonyControl

/// `colony cell move NAME --near ZONE`.
struct CellMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a cell toward its clients' zone, one membership change at a time.",
        discussion: "The placer chooses where the cell should be for clients in ZONE (a majority and the preferred leader there); the directory records it as the cell's target, and the control loop moves the cell there, one member at a time, throttled and pausable like a drain.")
    @Argument(help: "The cell's name.") var name: String
    @Option(help: "The zone of the cell's clients.") var near: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let (record, note) = try await options.withDirectory { directory in
            (try await CellTargeting.moveNear(name, zone: near, directory: directory), await ClientOptions.pausedNote(directory))
        }
        guard let target = record.target else {
            options.show("\(name) is placed for zone \(near) already", json: ["cell": name, "moves": 0])
            return
        }
        let moves = target.members.filter { !record.placement.members.contains($0) }.count
        options.show(
            "\(name) will move to \(target.members.map(\.description).joined(separator: ",")) (\(moves) move\(moves == 1 ? "" : "s"), one at a time, by the control loop)\(note)",
            json: ["cell": name, "target": target.members.map(\.rawValue), "moves": moves])
    }
}
