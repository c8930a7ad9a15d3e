import ColonyNode
import Foundation

/// What `colony dev up` started, kept in its folder so `dev down` and the data commands
/// can find the colony again.
struct DevColony: Codable {
    /// A running node process.
    struct Process: Codable {
        var node: UInt32
        var pid: Int32
        var clientAddress: String
    }

    var processes: [Process]
    /// The control loop's process id, if `dev up` started one.
    var controlPid: Int32?

    /// Where a dev colony lives unless `--dir` says otherwise.
    static var defaultDirectory: String {
        NSTemporaryDirectory() + "colony-dev"
    }

    static func stateFile(in directory: String) -> String {
        directory + "/dev.json"
    }

    /// The colony recorded in `directory`, if one is.
    static func load(from directory: String) -> DevColony? {
        guard let data = FileManager.default.contents(atPath: stateFile(in: directory)) else { return nil }
        return try? JSONDecoder().decode(DevColony.self, from: data)
    }

    func save(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.stateFile(in: directory)))
    }
}
