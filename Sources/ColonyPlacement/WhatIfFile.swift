import ColonyJSON
import Foundation

/// Reads a what-if fleet file (JSON). Foundation is used here only to parse the file.
///
/// ```json
/// {"zones": 3, "racksPerZone": 10, "nodesPerRack": 10, "colors": 1,
///  "cells": 1000000, "replicas": 7, "overlapMax": 3, "seed": 1}
/// ```
/// or, instead of the four shape counts, the nodes themselves:
/// `"nodes": [{"id": 1, "zone": "z1", "rack": "r1", "color": "blue", "state": "active"}, ...]`
/// (`color` defaults to `default`, `state` to `active`). `cells` is required; `replicas`
/// defaults to 7, `overlapMax` to one less than a majority, `seed` to 0, `searchStepsMax` to
/// 20000. Unknown keys are refused at every level, with the key that was meant, so a
/// misspelt option is not silently ignored (`StrictJSON`).
public enum WhatIfFile {
    private struct Contents: Decodable {
        var zones: Int?
        var racksPerZone: Int?
        var nodesPerRack: Int?
        var colors: Int?
        var nodes: [FleetNode]?
        var cells: Int
        var replicas: Int?
        var overlapMax: Int?
        var seed: UInt64?
        var searchStepsMax: Int?
    }

    /// Reads the file at `path`.
    public static func read(path: String) throws(PlacementError) -> WhatIf {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedFleetFile(path: path, detail: "cannot be read (missing, or not a readable file)")
        }
        return try parse(data, path: path)
    }

    /// Parses a what-if file's bytes; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws(PlacementError) -> WhatIf {
        let contents: Contents
        do {
            contents = try StrictJSON.decode(Contents.self, from: data)
        } catch {
            throw .malformedFleetFile(path: path, detail: error.description)
        }
        let fleet = try fleet(of: contents, path: path)
        let configuration = PlacerConfiguration(
            seed: contents.seed ?? 0, overlapMax: contents.overlapMax,
            searchStepsMax: contents.searchStepsMax ?? PlacerConfiguration.searchStepsDefault)
        return try WhatIf(fleet: fleet, cells: contents.cells, replicas: contents.replicas ?? 7, configuration: configuration)
    }

    private static func fleet(of contents: Contents, path: String) throws(PlacementError) -> Fleet {
        let shapeCounts = [contents.zones, contents.racksPerZone, contents.nodesPerRack]
        if let nodes = contents.nodes {
            guard shapeCounts.allSatisfy({ $0 == nil }), contents.colors == nil else {
                throw .malformedFleetFile(path: path, detail: "give either \"nodes\" or zones, racksPerZone, nodesPerRack and colors, not both")
            }
            do {
                return try Fleet(nodes: nodes)
            } catch {
                throw .malformedFleetFile(path: path, detail: error.description)
            }
        }
        guard let zones = contents.zones, let racks = contents.racksPerZone, let perRack = contents.nodesPerRack else {
            throw .malformedFleetFile(path: path, detail: "give \"nodes\", or all of zones, racksPerZone and nodesPerRack")
        }
        return try Fleet(shape: FleetShape(zones: zones, racksPerZone: racks, nodesPerRack: perRack, colors: contents.colors ?? 1))
    }
}
