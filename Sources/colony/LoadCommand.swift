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
        discussion: "Exit status 1 if the history is not linearizable."
    )

    @Option(help: "Concurrent clients.") var clients: Int = 8
    @Option(help: "How long the load runs: 30s, 2m, 500ms (a bare number counts seconds).") var duration = Span(milliseconds: 10_000)
    @Option(help: "Cells to load, comma-separated.") var cells: String = "load"
    @Option(help: "Create the cells first, on these node ids (comma-separated), if they do not exist.") var createOn: String?
    @Option(help: "Write the history (JSON Lines) to this file.") var historyOut: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...1_024).contains(clients) else { throw ValidationError("--clients must be from 1 to 1024") }
        guard duration.milliseconds > 0, duration.milliseconds <= 3_600_000 else {
            throw ValidationError("--duration must be more than 0 and at most 1h")
        }
    }

    func run() async throws {
        let names = cells.split(separator: ",").map(String.init)
        let addresses = try options.addresses()
        if let createOn {
            let members = createOn.split(separator: ",").compactMap { UInt32($0) }
            try await options.withClient { client in
                for name in names where (try? await client.cellInfo(name)) == nil {
                    _ = try await client.createCell(name, nodes: members)
                }
            }
        }
        var runner = LoadRunner(nodes: addresses, tls: try options.tls(), cells: names)
        runner.clients = clients
        runner.duration = duration.duration
        let started = ContinuousClock.now
        let history = try await runner.run()
        let elapsed = ContinuousClock.now - started
        if let historyOut {
            try HistoryCoding.encode(history).write(toFile: historyOut, atomically: true, encoding: .utf8)
        }
        let report = LinearizabilityChecker().check(history)
        let completed = history.filter { $0.type == .ok }.count
        print("\(report.operationCount) operations (\(completed) ok, \(report.failedOperationCount) fail, \(report.indeterminateOperationCount) info) by \(clients) clients in \(elapsed)")
        print(report.isLinearizable ? "verdict: linearizable" : "verdict: VIOLATION\n\(report)")
        if !report.isLinearizable { throw ExitCode.failure }
    }
}
