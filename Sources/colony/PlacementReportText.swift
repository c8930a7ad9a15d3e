import ColonyPlacement
import Foundation

/// Everything `colony placement report` found, as a table for people or JSON for tools.
struct PlacementReportResult {
    /// Wall-clock seconds of each step.
    struct Seconds: Encodable {
        var placing: Double
        var analysis: Double
        var random: Double?
        var total: Double
    }

    var whatIf: WhatIf
    var outcome: WhatIf.Outcome
    var placed: BlastRadiusReport
    var placedFailure: Failure?
    var random: BlastRadiusReport?
    var randomFailure: Failure?
    var seconds: Seconds
    var peakResidentBytes: Int
    /// Where the placements came from when they were not placed here (the running colony).
    var source: String? = nil

    /// `300 nodes (3 zones, 30 racks, 1 color)`.
    var fleetDescription: String {
        let fleet = whatIf.fleet
        return "\(fleet.nodes.count) nodes (\(fleet.zones.count) zones, \(fleet.racks.count) racks, \(fleet.colors.count) color\(fleet.colors.count == 1 ? "" : "s"))"
    }

    /// The figures as JSON-encodable values.
    var json: some Encodable {
        Document(
            nodes: whatIf.fleet.nodes.count, zones: whatIf.fleet.zones.count, racks: whatIf.fleet.racks.count,
            colors: whatIf.fleet.colors.count, cells: whatIf.cells, replicas: whatIf.replicas,
            overlapMax: whatIf.configuration.overlapMax(replicas: whatIf.replicas), seed: whatIf.configuration.seed,
            seconds: seconds, peakResidentBytes: peakResidentBytes, overlapIndexBytes: outcome.indexBytes,
            cellTableBytes: outcome.table.bytes,
            relaxedCells: Dictionary(uniqueKeysWithValues: outcome.relaxedCells.map { ($0.key.rawValue, $0.value) }),
            placed: placed, placedFailure: placedFailure, random: random, randomFailure: randomFailure)
    }

    private struct Document: Encodable {
        var nodes, zones, racks, colors, cells, replicas, overlapMax: Int
        var seed: UInt64
        var seconds: Seconds
        var peakResidentBytes, overlapIndexBytes, cellTableBytes: Int
        var relaxedCells: [String: Int]
        var placed: BlastRadiusReport
        var placedFailure: Failure?
        var random: BlastRadiusReport?
        var randomFailure: Failure?
    }

    /// The report as text tables.
    var text: String {
        var lines: [String] = []
        let cells = outcome.table.count
        if let source {
            lines.append("\(source): \(fleetDescription), \(grouped(cells)) cells (most of \(whatIf.replicas) replicas)")
        } else {
            lines.append("what-if colony: \(fleetDescription), \(grouped(cells)) cells of \(whatIf.replicas) replicas, overlap at most \(whatIf.configuration.overlapMax(replicas: whatIf.replicas)), seed \(whatIf.configuration.seed)")
        }
        if source == nil {
            lines.append("placed \(grouped(cells)) cells in \(Format.seconds(seconds.placing)) (\(grouped(Int(Double(cells) / max(seconds.placing, 1e-9)))) cells/s); overlap index \(megabytes(outcome.indexBytes)), cell table \(megabytes(outcome.table.bytes))")
        }
        var timing = "analysis \(Format.seconds(seconds.analysis))"
        if let randomSeconds = seconds.random { timing += "; random placement and its analysis \(Format.seconds(randomSeconds)) (on a second thread)" }
        lines.append(timing + "; all \(Format.seconds(seconds.total)) of wall time; peak resident memory \(megabytes(peakResidentBytes))")
        if outcome.relaxedCells.isEmpty {
            lines.append("every cell keeps every rule (zones, racks, overlap, near zone)")
        } else {
            for rule in PlacementRule.allCases {
                guard let count = outcome.relaxedCells[rule] else { continue }
                lines.append("\(grouped(count)) \(count == 1 ? "cell relaxes" : "cells relax") \(rule.rawValue); first: \(outcome.firstReason[rule] ?? "")")
            }
        }
        lines.append("")
        lines += failureTable()
        for group in placed.groups {
            lines.append("")
            lines += overlapTable(group, random: random?.groups.first { $0.color == group.color && $0.replicas == group.replicas })
        }
        return lines.joined(separator: "\n")
    }

    private func column(_ placed: String, _ random: String?) -> String {
        Format.padded(placed, 20, right: true) + (random.map { Format.padded($0, 20, right: true) } ?? "")
    }

    private func failureTable() -> [String] {
        var rows: [(String, (BlastRadiusReport) -> String)] = [
            ("replicas per node (min-max)", { "\(grouped($0.load.replicasMin))-\(grouped($0.load.replicasMax))" }),
            ("leaders per node (min-max)", { "\(grouped($0.load.leadersMin))-\(grouped($0.load.leadersMax))" }),
            ("cells losing their majority when", { _ in "" }),
            ("  any one node fails (worst)", { grouped($0.nodeFailures.mostMajoritiesLost.cellsLosingMajority) }),
            ("  any one rack fails (worst)", { grouped($0.rackFailures.mostMajoritiesLost.cellsLosingMajority) }),
            ("  any one zone fails (worst)", { grouped($0.zoneFailures.mostMajoritiesLost.cellsLosingMajority) }),
            ("  the worst pair of nodes fails", { grouped($0.worstNodePair.cellsLosingMajority) }),
            ("cells losing a replica when", { _ in "" }),
            ("  the worst node fails", { grouped($0.nodeFailures.mostTouching.cellsLosingReplica) }),
            ("  the worst rack fails", { grouped($0.rackFailures.mostTouching.cellsLosingReplica) }),
            ("  the worst zone fails", { grouped($0.zoneFailures.mostTouching.cellsLosingReplica) }),
            ("  the worst pair of nodes fails", { grouped($0.worstNodePair.cellsLosingReplica) }),
            ("nodes | racks | zones taking a majority", {
                "\($0.nodeFailures.domainsTakingAMajority) | \($0.rackFailures.domainsTakingAMajority) | \($0.zoneFailures.domainsTakingAMajority)"
            }),
        ]
        for zone in placed.zoneFailures.each.indices {
            rows.append(("zone \(placed.zoneFailures.each[zone].name) fails: replica | majority", {
                "\(grouped($0.zoneFailures.each[zone].cellsLosingReplica)) | \(grouped($0.zoneFailures.each[zone].cellsLosingMajority))"
            }))
        }
        var lines = [Format.padded("", 44) + column("shuffle-sharded", random == nil ? nil : "plain random")]
        for (label, value) in rows {
            lines.append(Format.padded(label, 44) + column(value(placed), random.map(value)))
        }
        if let placedFailure {
            lines.append(Format.padded("failure \(placedFailure.name): replica | majority", 44) + column(
                "\(grouped(placedFailure.cellsLosingReplica)) | \(grouped(placedFailure.cellsLosingMajority))",
                randomFailure.map { "\(grouped($0.cellsLosingReplica)) | \(grouped($0.cellsLosingMajority))" }))
        }
        return lines
    }

    private func overlapTable(_ group: OverlapFigures, random: OverlapFigures?) -> [String] {
        let majority = group.replicas / 2 + 1
        let ideal = group.ideal
        var lines: [String] = []
        lines.append("color \(group.color), \(group.replicas) replicas: \(grouped(group.cells)) cells on \(group.nodes) nodes")
        let likely = ideal.randomWorstMajoritySetExpected
        let atLeast = ideal.randomMajoritySetsInAtLeast
        let beyond = likely + 1 < atLeast.count ? String(format: ", %.2g in %d+", atLeast[likely + 1], likely + 1) : ""
        lines.append(Format.padded("most cells one set of \(majority) nodes takes down", 44) + column(
            grouped(group.worstMajoritySet.cellsLosingMajority), random.map { grouped($0.worstMajoritySet.cellsLosingMajority) })
            + String(format: "   random, expected: %.3g sets in %d+ cells", atLeast[likely], likely) + beyond)
        lines.append(Format.padded("  that set", 44) + column(group.worstMajoritySet.name, random?.worstMajoritySet.name))
        lines.append(Format.padded("sets of \(majority) nodes inside 2 or more cells", 44) + column(
            grouped(group.majoritySetsInSeveralCells), random.map { grouped($0.majoritySetsInSeveralCells) })
            + "   expected for random: \(grouped(Int(ideal.randomMajoritySetsInAtLeast.count > 2 ? ideal.randomMajoritySetsInAtLeast[2].rounded() : 0)))")
        let sampled = group.pairsSampled.map { " (below \(majority) estimated from \(grouped($0)) sampled pairs)" } ?? ""
        lines.append("pairs of cells sharing k nodes, of \(grouped(Int(group.pairs.reduce(0, +)))) pairs\(sampled):")
        lines.append(Format.padded("  k", 8) + Format.padded("shuffle-sharded", 20, right: true) + (random == nil ? "" : Format.padded("plain random", 20, right: true))
            + Format.padded("random, expected", 20, right: true) + Format.padded("chance", 12, right: true))
        for shared in 0...group.replicas {
            lines.append(Format.padded("  \(shared)", 8) + Format.padded(grouped(Int(group.pairs[shared])), 20, right: true)
                + (random.map { Format.padded(grouped(Int($0.pairs[shared])), 20, right: true) } ?? "")
                + Format.padded(grouped(Int(ideal.randomPairs[shared].rounded())), 20, right: true)
                + Format.padded(String(format: "%.3g", ideal.overlapChance[shared]), 12, right: true))
        }
        lines.append("ideal: C(\(group.nodes),\(group.replicas)) = \(String(format: "%.3g", ideal.nodeSets)) node sets; C(\(group.nodes),\(majority)) = \(grouped(Int(ideal.majoritySets))) sets of \(majority) nodes, \(SubsetRank.binomial(group.replicas, majority) ?? 0) in each cell, so at most \(grouped(Int(ideal.cellsMaxSharingLessThanMajority))) cells can share fewer than \(majority) nodes pairwise")
        return lines
    }
}

/// `1234567` as `1,234,567`.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

/// Bytes as megabytes with one decimal.
func megabytes(_ bytes: Int) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
}
