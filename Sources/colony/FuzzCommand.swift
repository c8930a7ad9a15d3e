import ArgumentParser
import ColonyFuzz
import Foundation

/// `colony fuzz TARGET --runs N [--seed S]`: a campaign of hostile inputs against one decoder
/// of untrusted bytes, or all of them.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run seeded mutations of valid inputs through a decoder of untrusted bytes; a crash or a wrong decode is a finding.",
        discussion: """
            Targets: \(FuzzTargets.names.joined(separator: ", ")), or all. Each input is a mutation of a valid input \
            made by the production encoders (frames and records from a simulated run, protobuf and JSON documents); \
            input N of seed S is the same on every run. Per target it prints the inputs run, how many decoded and \
            how many were refused, violations (decoded into something wrong), crashes, and inputs per second.
            A crash (a trap) ends the process: the campaign runs in batches of \(FuzzCampaign.batchInputs) inputs and, \
            before each, writes the command that replays the batch to a file named at the start. That command \
            keeps each input in a file before running it, so after the crash the file holds the input that crashed; \
            `colony fuzz TARGET --replay FILE` runs it alone. Exit status: 1 when a violation was found.
            """
    )

    @Argument(help: "The target to fuzz, or all.")
    var target: String

    @Option(help: "Inputs to run per target.")
    var runs: UInt64 = 100_000

    @Option(help: "The seed the inputs are made from.")
    var seed: UInt64 = 1

    @Option(help: "The number of the first input (to replay part of a campaign).")
    var from: UInt64 = 0

    @Option(help: "Write each input to this file before running it, so a crash leaves the input that caused it.")
    var keepInput: String?

    @Option(help: "Run the single input in this file and say what the decoder did.")
    var replay: String?

    func run() throws {
        let names = target == "all" ? FuzzTargets.names : [target]
        guard let targets = FuzzTargets.make(names) else {
            throw ValidationError("no fuzz target \(target); the targets are \(FuzzTargets.names.joined(separator: ", ")), or all")
        }
        if let replay {
            guard let input = FileManager.default.contents(atPath: replay) else { throw ValidationError("cannot read \(replay)") }
            for target in targets {
                print("\(target.name): \(target.run(Array(input)))")
            }
            return
        }
        let replayFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("colony-fuzz-\(ProcessInfo.processInfo.processIdentifier).replay").path
        printNow("seed \(seed); if a crash ends this run, \(replayFile) holds the command that replays its batch")
        printNow(Self.row(["target", "inputs", "decoded", "refused", "violations", "crashes", "inputs/s"]))
        var violations = 0
        for target in targets {
            let report = campaign(target, replayFile: replayFile)
            violations += report.violationCount
            printNow(Self.row([
                target.name, "\(report.inputs)", "\(report.decoded)", "\(report.refused)", "\(report.violationCount)", "0",
                String(format: "%.0f", report.inputsPerSecond),
            ]))
            for violation in report.violations {
                printNow("  input \(violation.index): \(violation.reason); replay: colony fuzz \(target.name) --seed \(seed) --from \(violation.index) --runs 1 --keep-input FILE")
            }
        }
        try? FileManager.default.removeItem(atPath: replayFile)
        if violations > 0 { throw ExitCode.failure }
    }

    private func campaign(_ target: FuzzTarget, replayFile: String) -> FuzzReport {
        let keepInput = keepInput
        return FuzzCampaign(target: target, seed: seed).run(
            from: from, count: runs,
            beforeBatch: { batch in
                let command = "colony fuzz \(target.name) --seed \(seed) --from \(batch.lowerBound) --runs \(batch.count) --keep-input colony-fuzz-input.bin\n"
                _ = FileManager.default.createFile(atPath: replayFile, contents: Data(command.utf8))
            },
            beforeInput: keepInput.map { path in
                { _, input in _ = FileManager.default.createFile(atPath: path, contents: Data(input)) }
            })
    }

    private static func row(_ cells: [String]) -> String {
        Format.padded(cells[0], 22) + cells.dropFirst().map { Format.padded($0, 12, right: true) }.joined()
    }
}
