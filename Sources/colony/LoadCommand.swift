import ArgumentParser
import ColonyCheck
import ColonyClient
import ColonyCore
import Foundation

/// `colony load`: a checked workload against a running colony.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Drive a running colony with concurrent clients, record the history, and check it.",
        discussion: """
            The load first reads what every key holds and checks the history from there, and its values are \
            new to each run, so runs over the same cells are checked alike. Exit status: 0 linearizable, \
            1 not linearizable, 8 undecided (try a larger --budget); others as every command (`colony --help`).
            """
    )

    @Option(help: "Concurrent clients.") var clients: Int = 8
    @Option(help: "How long the load runs: 30s, 2m, 500ms (a bare number counts seconds).") var duration = Span(milliseconds: 10_000)
    @Option(help: "Cells to load, comma-separated.") var cells: String = "load"
    @Option(help: "Create the cells first, on these node ids (comma-separated), if they do not exist.") var createOn: String?
    @Option(help: "Write the history (JSON Lines) to this file.") var historyOut: String?
    @OptionGroup var checker: CheckerOptions
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...1_024).contains(clients) else { throw ValidationError("--clients must be from 1 to 1024") }
        guard duration.milliseconds > 0, duration.milliseconds <= 3_600_000 else {
            throw ValidationError("--duration must be more than 0 and at most 1h")
        }
    }

    func run() async throws {
        let names = cells.split(separator: ",").map(String.init)
        if let createOn {
            let members = createOn.split(separator: ",").compactMap { UInt32($0) }
            // In batches (CreateCells): a cell that exists already with the same members answers
            // so, and one with other members is refused.
            try await options.withClient { client in
                let cells = names.map { ColonyClient.NewCell(name: $0, nodes: members) }
                for case .failure(let error) in try await client.createCells(cells) {
                    throw error
                }
            }
        }
        let addresses = try await options.reachableAddresses()
        var runner = LoadRunner(nodes: addresses, tls: try options.tls(), cells: names)
        runner.clients = clients
        runner.duration = duration.duration
        runner.policy = options.policy()
        let log = HistoryLog()
        let progress = Progress("load")
        let following = progress.follow { await log.progressLine }
        let started = ContinuousClock.now
        let history = try await runner.run(history: log)
        let elapsed = ContinuousClock.now - started
        following?.cancel()
        progress.finish()
        if let historyOut {
            try HistoryCoding.encode(history).write(toFile: historyOut, atomically: true, encoding: .utf8)
        }
        let report = checker.checker.check(history)
        print(await Self.summary(report, log: log, clients: clients, elapsed: elapsed))
        let status = CheckerOptions.status(of: report)
        switch status {
        case .success: print("verdict: linearizable")
        case .undecided: print("verdict: undecided (the checker gave up within its budget; try a larger --budget)\n\(report)")
        default: print("verdict: VIOLATION\n\(report)")
        }
        if status != .success { throw ExitCode(status) }
    }

    /// The line that counts the load's operations, naming compare-and-sets that lost as such.
    static func summary(_ report: CheckReport, log: HistoryLog, clients: Int, elapsed: Duration) async -> String {
        let completed = await log.completed
        let mismatches = await log.conditionFailures
        let failed = report.failedOperationCount
        let failures = mismatches == 0
            ? "\(failed) failed"
            : "\(failed) failed (\(mismatches) of them compare-and-set mismatches: the key held another value)"
        return "\(report.operationCount) operations by \(clients) clients in \(Format.rounded(elapsed)): "
            + "\(completed) ok, \(failures), \(report.indeterminateOperationCount) of unknown outcome"
    }
}
