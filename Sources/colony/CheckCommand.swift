import ArgumentParser
import ColonyCheck
import ColonyCore
import Foundation

/// `colony check FILE`: checks a history written by anyone.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a history file (JSON Lines, see HISTORY.md) for linearizability.",
        discussion: """
            Exit status: 0 linearizable, 1 not linearizable, 8 undecided (the search gave up within its budget: \
            try a larger --budget), 2 the file could not be read or is not a valid history.
            """
    )

    @Argument(help: "The history file.")
    var file: String

    @OptionGroup var checker: CheckerOptions

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CommandFailure(.invalidInput, "cannot read \(file): \(error.localizedDescription)")
        }
        let events: [HistoryEvent]
        do {
            events = try HistoryCoding.parse(text)
        } catch {
            throw CommandFailure(.invalidInput, "\(file) is not a valid history: \(error)")
        }
        let report = checker.checker.check(events)
        print(report.description)
        let status = CheckerOptions.status(of: report)
        if status != .success { throw ExitCode(status) }
    }
}

/// How hard the linearizability checker searches, for the commands that check a history.
struct CheckerOptions: ParsableArguments {
    @Option(help: "Search steps per partition (a key, or a cell with transactions) before the checker gives up on it as undecided.")
    var budget: Int = LinearizabilityChecker.defaultBudget

    func validate() throws {
        guard budget >= 1 else { throw ValidationError("--budget must be at least 1") }
    }

    /// The checker with this budget.
    var checker: LinearizabilityChecker { LinearizabilityChecker(budget: budget) }

    /// A report's exit status: a violation is a failure, a search that gave up is undecided.
    static func status(of report: CheckReport) -> ExitStatus {
        if report.isLinearizable { return .success }
        if report.invalidHistory != nil { return .invalidInput }
        return report.violations.isEmpty ? .undecided : .failure
    }
}
