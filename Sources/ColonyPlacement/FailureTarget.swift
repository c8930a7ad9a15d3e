import ColonyCore

/// A failure named on the command line: one node, one rack, or one zone.
public enum FailureTarget: Hashable, Sendable, CustomStringConvertible {
    /// Node `id` fails.
    case node(NodeID)
    /// Every node of rack `rack` in zone `zone` fails.
    case rack(zone: String, rack: String)
    /// Every node of zone `zone` fails.
    case zone(String)

    /// Parses `node:ID`, `rack:ZONE/RACK` or `zone:ZONE`.
    public init(parsing text: String) throws(PlacementError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { throw .badFailure(text) }
        switch parts[0] {
        case "node":
            let digits = parts[1].hasPrefix("n") ? String(parts[1].dropFirst()) : parts[1]
            guard let id = UInt32(digits) else { throw .badFailure(text) }
            self = .node(NodeID(id))
        case "rack":
            let names = parts[1].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty else { throw .badFailure(text) }
            self = .rack(zone: names[0], rack: names[1])
        case "zone":
            self = .zone(parts[1])
        default:
            throw .badFailure(text)
        }
    }

    /// The indices of the nodes that fail; throws when the fleet has no such node, rack or zone.
    public func nodes(in fleet: Fleet) throws(PlacementError) -> [Int] {
        switch self {
        case .node(let id):
            guard let index = fleet.index(of: id) else { throw .unknownFailureDomain(description) }
            return [index]
        case .rack(let zone, let rack):
            guard let index = fleet.rackIndex(zone: zone, rack: rack) else { throw .unknownFailureDomain(description) }
            return fleet.nodes.indices.filter { fleet.rackOfNode[$0] == index }
        case .zone(let zone):
            guard let index = fleet.zoneIndex(of: zone) else { throw .unknownFailureDomain(description) }
            return fleet.nodes.indices.filter { fleet.zoneOfNode[$0] == index }
        }
    }

    /// The failure's name in reports: `n12`, `z1/r3`, `z1`.
    public var description: String {
        switch self {
        case .node(let id): return id.description
        case .rack(let zone, let rack): return "\(zone)/\(rack)"
        case .zone(let zone): return zone
        }
    }
}
