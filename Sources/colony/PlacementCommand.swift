import ArgumentParser
import ColonyControl
import ColonyCore
import ColonyPlacement
import Foundation

/// `colony placement`: where cells go, and what faults would do to them.
struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Shuffle-sharded placement of cells and its blast radius.",
        subcommands: [PlacementReportCommand.self]
    )
}

/// `colony placement report`: reports the blast radius of every node, rack and zone failure of
/// the running colony (its directory's placements) or of a what-if colony placed here, beside
/// plain random placement and the ideal's arithmetic.
struct PlacementReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the blast radius of every node, rack and zone failure, for the running colony or a what-if one.",
        discussion: """
            Without fleet arguments it reports the running colony: the nodes and cell placements its directory holds \
            (reached like the data commands: --nodes, or the dev colony). With any of them, or --what-if, it places a \
            what-if colony.
            The fleet is --zones × --racks × --nodes-per-rack (default 3 × 10 × 10), or a JSON file given with --fleet:
              {"zones": 3, "racksPerZone": 10, "nodesPerRack": 10, "colors": 1,
               "cells": 1000000, "replicas": 7, "overlapMax": 3, "seed": 1}
            where the four shape counts may be replaced by "nodes": [{"id": 1, "zone": "z1", "rack": "r1",
            "color": "default", "state": "active"}, ...]. Only "cells" is required beside the fleet.
            The same cells are also placed uniformly at random for comparison (--skip-random to leave that out).
            --svg FILE draws the colony; --fail node:ID, rack:ZONE/RACK or zone:ZONE highlights one failure.
            """
    )

    @Option(help: "A what-if fleet file (JSON); see above.")
    var fleet: String?

    @Option(help: "Zones (default 3).")
    var zones: Int?

    @Option(help: "Racks per zone (default 10).")
    var racks: Int?

    @Option(help: "Nodes per rack (default 10).")
    var nodesPerRack: Int?

    @Option(help: "Colors (deployment groups); cells take them in turn (default 1).")
    var colors: Int?

    @Option(help: "Cells to place (default 1000000).")
    var cells: Int?

    @Option(help: "Replicas per cell: odd, 3 to 9 (default 7).")
    var replicas: Int?

    @Option(help: "The most nodes two cells may share (default: one less than a majority, 3 of 7).")
    var overlapMax: Int?

    @Option(help: "The placer's seed (default 1).")
    var seed: UInt64?

    @Option(help: "Write a picture of the colony (SVG) to this file.")
    var svg: String?

    @Option(help: "One failure to report and highlight: node:ID, rack:ZONE/RACK or zone:ZONE.")
    var fail: String?

    @Flag(help: "Place a what-if colony of the default shape rather than report the running one.")
    var whatIf = false

    @Flag(help: "Do not place the cells at random for comparison.")
    var skipRandom = false

    func validate() throws {
        if fleet != nil && [zones, racks, nodesPerRack, colors, cells, replicas, overlapMax].contains(where: { $0 != nil }) || fleet != nil && seed != nil {
            throw ValidationError("--fleet FILE holds the fleet, cells, replicas, overlap bound and seed; give those there, not as flags")
        }
    }

    @OptionGroup var options: ClientOptions

    /// Whether the report is of a what-if colony: any fleet argument, or --what-if.
    private var isWhatIf: Bool {
        whatIf || fleet != nil || seed != nil || [zones, racks, nodesPerRack, colors, cells, replicas, overlapMax].contains { $0 != nil }
    }

    func run() async throws {
        let progress = Progress("placement report")
        progress.update(isWhatIf ? "laying out the fleet" : "reading the directory", stage: true)
        let (whatIf, placedOutcome) = isWhatIf ? (try makeWhatIf(), nil) : try await currentColony()
        let failure = try failureDomain(in: whatIf.fleet)
        let clock = ContinuousClock()
        let start = clock.now
        // The random baseline needs nothing from the placer, so it runs beside it.
        async let randomPart = skipRandom ? nil : Self.random(whatIf, like: placedOutcome?.table, failure: failure)
        let placingStart = clock.now
        progress.update(placedOutcome == nil ? "placing the cells on \(whatIf.fleet.nodes.count) nodes" : "taking the directory's placements", stage: true)
        let outcome = try placedOutcome ?? whatIf.place()
        let placing = clock.now - placingStart
        let analysisStart = clock.now
        progress.update("counting the blast radius of every failure domain", stage: true)
        let placed = BlastRadius.analyze(fleet: whatIf.fleet, cells: outcome.table, seed: whatIf.configuration.seed)
        let analysis = clock.now - analysisStart
        let placedFailure = failure.map { BlastRadius.failure(of: $0.nodes, named: $0.name, fleet: whatIf.fleet, cells: outcome.table) }
        progress.update("waiting for the random baseline", stage: true)
        let random = try await randomPart
        progress.finish()
        let result = PlacementReportResult(
            whatIf: whatIf, outcome: outcome, placed: placed, placedFailure: placedFailure, random: random?.report,
            randomFailure: random?.failure ?? nil,
            seconds: .init(
                placing: placing.seconds, analysis: analysis.seconds, random: random?.duration.seconds, total: (clock.now - start).seconds),
            peakResidentBytes: peakResidentBytes(), source: isWhatIf ? nil : "the running colony, from its directory")
        if let svg {
            let title = "colony placement report: \(result.fleetDescription), \(outcome.table.count) cells of \(whatIf.replicas) replicas"
            let picture = BlastRadiusPicture.svg(
                fleet: whatIf.fleet, cells: outcome.table, title: title, failure: failure)
            do {
                try Data(picture.utf8).write(to: URL(fileURLWithPath: svg))
            } catch {
                throw ValidationError("cannot write the picture to \(svg): \(error.localizedDescription)")
            }
        }
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result.json), as: UTF8.self))
        } else {
            print(result.text)
            if let svg { print("picture: \(svg)") }
        }
    }

    /// Plain random placement of the same cells and its analysis, with the time they took.
    /// The cells of a running colony (`placed`) keep their own replica counts and colors.
    private static func random(
        _ whatIf: WhatIf, like placed: CellTable?, failure: (name: String, nodes: [Int])?
    ) async throws -> (report: BlastRadiusReport, failure: Failure?, duration: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let seed = whatIf.configuration.seed &+ 1
        let table = try placed.map { try RandomPlacement.place(like: $0, fleet: whatIf.fleet, seed: seed) } ?? whatIf.placeAtRandom(seed: seed)
        let report = BlastRadius.analyze(fleet: whatIf.fleet, cells: table, seed: whatIf.configuration.seed)
        let failed = failure.map { BlastRadius.failure(of: $0.nodes, named: $0.name, fleet: whatIf.fleet, cells: table) }
        return (report, failed, clock.now - start)
    }

    /// The failure named by `--fail`: its name and the indices of the nodes that fail.
    private func failureDomain(in fleet: Fleet) throws -> (name: String, nodes: [Int])? {
        guard let fail else { return nil }
        do {
            let target = try FailureTarget(parsing: fail)
            return (target.description, try target.nodes(in: fleet))
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The running colony: its directory's nodes and placements.
    private func currentColony() async throws -> (WhatIf, WhatIf.Outcome?) {
        let snapshot = try await options.withDirectory { try await $0.snapshot() }
        // A gone node counts only while some cell is still placed on it.
        let placed = Set(snapshot.cells.flatMap(\.placement.members))
        let nodes = snapshot.nodes.filter { $0.state != .gone || placed.contains(NodeID($0.id)) }
        do {
            let fleet = try Fleet(nodes: nodes.map(\.fleetNode))
            let (whatIf, outcome) = try WhatIf.placed(
                fleet: fleet, placements: snapshot.cells.map(\.placement), configuration: PlacerConfiguration(seed: 1))
            return (whatIf, outcome)
        } catch let error as FleetError {
            throw ValidationError("the directory's nodes do not make a fleet: \(error)")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    private func makeWhatIf() throws -> WhatIf {
        do {
            if let fleet {
                return try WhatIfFile.read(path: fleet)
            }
            let shape = FleetShape(zones: zones ?? 3, racksPerZone: racks ?? 10, nodesPerRack: nodesPerRack ?? 10, colors: colors ?? 1)
            return try WhatIf(
                fleet: try Fleet(shape: shape), cells: cells ?? 1_000_000, replicas: replicas ?? 7,
                configuration: PlacerConfiguration(seed: seed ?? 1, overlapMax: overlapMax))
        } catch {
            throw ValidationError(error.description)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The most resident memory this process has used, in bytes (Linux `VmHWM`; 0 elsewhere).
func peakResidentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }
    return 0
}
