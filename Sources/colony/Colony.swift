import ArgumentParser

/// The `colony` command: every way to run, test and measure Colony from a shell.
@main
struct Colony: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colony",
        abstract: "A strongly consistent key-value store built as millions of tiny replicated databases.",
        discussion: """
            Start with `colony demo`: an in-process colony with faults, in real time, checked at the end.
            `colony sim` runs the deterministic simulator over many seeds; `colony check FILE` checks any history.
            """,
        subcommands: [
            DemoCommand.self, SimCommand.self, CheckCommand.self, NodeCommand.self, DevCommand.self, CellCommand.self,
            PutCommand.self, GetCommand.self, DeleteCommand.self, IncrementCommand.self, CompareAndSetCommand.self,
            ListCommand.self, TransactionCommand.self, WatchCommand.self, LoadCommand.self, WalCommand.self,
            BenchCommand.self, CertsCommand.self, PlacementCommand.self, DirectoryCommand.self, ControlCommand.self, AuthCommand.self,
            FuzzCommand.self,
        ]
    )
}
