import ArgumentParser
import ColonyCheck
import ColonyCore
import ColonySim
import Dispatch
import Foundation

/// `colony sim`: runs the deterministic simulator over many seeds and checks every history.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run seeded simulations of a whole colony with faults, and check each history for linearizability.",
        discussion: """
            Each seed is one run: the same seed replays the same run exactly. A failing seed prints one line \
            and the command that replays it; the exit status is non-zero if any seed failed.
            """
    )

    @Option(help: "How many seeds to run.")
    var seeds: UInt64 = 100

    @Option(help: "The first seed; `--seeds 1 --seed S` replays seed S.")
    var seed: UInt64 = 1

    @Option(help: "Nodes the colony's fleet starts with.")
    var nodes: Int = 9

    @Option(help: "Spare nodes, running but outside the fleet until the `add` action joins them.")
    var spareNodes: Int = 2

    @Option(help: "Zones the fleet is spread over (the racks are laid out from each seed).")
    var zones: Int = 3

    @Option(help: "Cells in the colony.")
    var cells: Int = 50

    @Option(help: "Replicas per cell (odd, 3 to 9).")
    var replicas: Int = 7

    @Option(help: "Concurrent clients.")
    var clients: Int = 8

    @Option(help: "Simulated seconds of workload per seed.")
    var duration: UInt64 = 10

    @Option(help: "Faults to inject: all, none, or a comma-separated list of \(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var faults: String = "all"

    @Flag(help: "Swarm testing: each seed draws its own colony shape (nodes, spares, zones, cells of mixed replica counts, clients) and fault mix and rates; --nodes, --spare-nodes, --zones, --cells, --replicas, --clients and --faults are then not used.")
    var swarm = false

    @Option(help: "Write each seed's history to DIR/seed-S.jsonl.")
    var historyOut: String?

    @Option(help: "Seeds run at once (default: one per processor).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be from 1 to 256") }
        guard duration >= 1, duration <= 3_600 else { throw ValidationError("--duration must be from 1 to 3600 seconds") }
        _ = try simulationOptions()
        if let historyOut {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: historyOut, isDirectory: &isDirectory) {
                try FileManager.default.createDirectory(atPath: historyOut, withIntermediateDirectories: true)
            } else if !isDirectory.boolValue {
                throw ValidationError("--history-out \(historyOut) is a file; give a directory")
            }
        }
    }

    func simulationOptions() throws -> SimulationOptions {
        var options = SimulationOptions()
        options.nodes = nodes
        options.spareNodes = spareNodes
        options.zones = zones
        options.cells = cells
        options.replicas = replicas
        options.clients = clients
        options.duration = duration * Nanoseconds.second
        do {
            options.faults = try FaultKind.parseList(faults)
            try options.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return options
    }

    /// The command line that replays one seed with the same shape.
    func replayCommand(_ seed: UInt64) -> String {
        if swarm { return "colony sim --swarm --seeds 1 --seed \(seed) --duration \(duration)" }
        return "colony sim --seeds 1 --seed \(seed) --nodes \(nodes) --spare-nodes \(spareNodes) --zones \(zones) "
            + "--cells \(cells) --replicas \(replicas) --clients \(clients) --duration \(duration) --faults \(faults)"
    }

    func run() throws {
        let options = try simulationOptions()
        let started = Date()
        let progress = Progress("sim")
        var done = 0
        var failed = 0
        progress.update("0 of \(seeds) seeds", stage: true)
        let outcomes = SeedRunner(options: options, swarm: swarm, historyDirectory: historyOut).run(
            seeds: seed..<(seed + seeds), jobs: jobs
        ) { outcome in
            done += 1
            if !outcome.passed { failed += 1 }
            progress.update("\(done) of \(seeds) seeds, \(failed) failed, \(Format.seconds(Date().timeIntervalSince(started)))")
            if !outcome.passed {
                progress.finish()
                let shape = swarm ? " [\(outcome.options.shapeDescription)]" : ""
                print("seed \(outcome.seed)\(shape): \(outcome.summary) — replay: \(replayCommand(outcome.seed))")
            }
        }
        progress.finish()
        let summary = SimulationSummary(outcomes: outcomes, wallSeconds: Date().timeIntervalSince(started))
        print(summary.description)
        if summary.failedSeeds > 0 {
            throw ExitCode.failure
        }
    }
}
