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
/// 20000. Unknown keys are refused, so a misspelt option is not silently ignored.
public enum WhatIfFile {
    /// The keys a what-if file may hold.
    public static let keys: Set<String> = [
        "zones", "racksPerZone", "nodesPerRack", "colors", "nodes", "cells", "replicas", "overlapMax", "seed", "searchStepsMax",
    ]

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
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .malformedFleetFile(path: path, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else {
            throw .malformedFleetFile(path: path, detail: "the top level must be a JSON object")
        }
        if let unknown = top.keys.sorted().first(where: { !keys.contains($0) }) {
            throw .malformedFleetFile(path: path, detail: "unknown key \"\(unknown)\"; the keys are \(keys.sorted().joined(separator: ", "))")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch let error as DecodingError {
            throw .malformedFleetFile(path: path, detail: describe(error))
        } catch let error as FleetError {
            throw .malformedFleetFile(path: path, detail: error.description)
        } catch {
            throw .malformedFleetFile(path: path, detail: "\(error)")
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

    private static func describe(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            var text = ""
            for key in path {
                if let position = key.intValue {
                    text += "[\(position)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \"\(key.stringValue)\" in \(location(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "\(location(context.codingPath)) should be \(type == String.self ? "a string" : type == [FleetNode].self ? "a list of nodes" : "a whole number in range")"
        case .valueNotFound(_, let context):
            return "\(location(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
