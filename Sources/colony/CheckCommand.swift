import ArgumentParser
import ColonyCheck
import ColonyCore
import Foundation

/// `colony check FILE`: checks a history written by anyone.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a history file (JSON Lines, see HISTORY.md) for linearizability.",
        discussion: "Exit status: 0 linearizable, 1 not linearizable or undecided, 2 the file could not be read or is not a valid history."
    )

    @Argument(help: "The history file.")
    var file: String

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            printError("colony check: cannot read \(file): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let events: [HistoryEvent]
        do {
            events = try HistoryCoding.parse(text)
        } catch {
            printError("colony check: \(file) is not a valid history: \(error)")
            throw ExitCode(2)
        }
        let report = LinearizabilityChecker().check(events)
        print(report.description)
        if !report.isLinearizable {
            throw ExitCode.failure
        }
    }
}
