import ArgumentParser

/// `colony bench`: benchmarks that print figures; nothing here asserts a time.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Colony and print figures.",
        subcommands: [
            CoreBenchmark.self, WalBenchmark.self, LoadBenchmark.self, HostileBenchmark.self, FloodCommand.self, ScaleBenchmark.self,
        ]
    )
}
