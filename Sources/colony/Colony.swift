import ArgumentParser
import ColonyNode

/// The `colony` command: every way to run, test and measure Colony from a shell.
@main
struct Colony: AsyncParsableCommand {
    /// The release this executable is, as `colony --version` prints it: the nodes'
    /// `colony_build_info` says the same.
    static let version = NodeBuild.version

    static let configuration = CommandConfiguration(
        commandName: "colony",
        abstract: "A strongly consistent key-value store built as millions of tiny replicated databases.",
        discussion: """
            Start with `colony demo`: an in-process colony with faults, in real time, checked at the end.
            `colony sim` runs the deterministic simulator over many seeds; `colony check FILE` checks any history.

            Exit status: \(ExitStatus.allCases.map { "\($0.rawValue) \($0.name)" }.joined(separator: ", ")) \
            (see the README's CLI conventions). Under --json an error is one JSON object on standard error: \
            {"error": {"status": NAME, "exit": N, "message": TEXT}}.
            """,
        version: "colony \(version)",
        subcommands: [
            DemoCommand.self, SimCommand.self, CheckCommand.self, NodeCommand.self, DevCommand.self, CellCommand.self,
            PutCommand.self, GetCommand.self, DeleteCommand.self, IncrementCommand.self, CompareAndSetCommand.self,
            ListCommand.self, TransactionCommand.self, WatchCommand.self, LoadCommand.self, WalCommand.self,
            BenchCommand.self, CertsCommand.self, PlacementCommand.self, DirectoryCommand.self, ControlCommand.self, AuthCommand.self,
            FuzzCommand.self, BackupCommand.self, RestoreCommand.self, ChaosCommand.self, UpgradeCommand.self, RolloutCommand.self, VersionCommand.self,
        ]
    )

    /// Parses the command line and runs the command; every error a command throws ends the
    /// process through `CommandFailureReport`, with the status `ExitStatus.of` gives it.
    static func main() async {
        let arguments = ProcessArguments.afterExecutable
        let report = CommandFailureReport(arguments: arguments)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            report.exit(parsing: error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            report.exit(running: error)
        }
    }
}
