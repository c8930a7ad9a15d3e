import ColonyCore

/// Why a placement, a re-placement or a what-if fleet was refused. Each says what was wrong
/// and what to change.
public enum PlacementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The replica count is even or outside 3...9.
    case badReplicaCount(cell: CellID, replicas: Int)
    /// The near zone is not a zone of the fleet.
    case unknownZone(cell: CellID, zone: String, known: [String])
    /// No node of the fleet has this color.
    case unknownColor(cell: CellID, color: String, known: [String])
    /// The color has fewer active nodes than the cell needs replicas.
    case tooFewNodes(cell: CellID, color: String, active: Int, replicas: Int)
    /// A placement names a node the fleet does not have.
    case unknownNode(cell: CellID, node: NodeID)
    /// A placement's members are not `replicas` distinct nodes, or its leader is not one of them.
    case inconsistentPlacement(cell: CellID, detail: String)
    /// The node to replace is not a member of the cell.
    case notAMember(cell: CellID, node: NodeID)
    /// The placement being removed or re-placed is not the one this placer holds.
    case notPlaced(cell: CellID, detail: String)
    /// The overlap bound needs subsets too large to number in 64 bits for this fleet.
    case overlapBoundTooWide(subsetSize: Int, nodes: Int)
    /// The fleet refused a change.
    case fleet(FleetError)
    /// Random placement cannot mirror a cell: its color has too few active nodes.
    case tooFewNodesForBaseline(color: String, active: Int, replicas: Int)
    /// A failure was not written as `node:ID`, `rack:ZONE/RACK` or `zone:ZONE`.
    case badFailure(String)
    /// A failure names a node, rack or zone the fleet does not have.
    case unknownFailureDomain(String)
    /// A configuration value is out of range.
    case badConfiguration(String)
    /// A what-if fleet's shape is not valid.
    case badShape(String)
    /// A fleet file could not be read as a fleet.
    case malformedFleetFile(path: String, detail: String)

    public var description: String {
        switch self {
        case .badReplicaCount(let cell, let replicas):
            return "cell \(cell): \(replicas) replicas; a cell needs an odd count from \(PlacementRequest.replicasMin) to \(PlacementRequest.replicasMax) so that a majority is well defined"
        case .unknownZone(let cell, let zone, let known):
            return "cell \(cell): near zone \"\(zone)\" is not a zone of the fleet; zones are \(known.joined(separator: ", "))"
        case .unknownColor(let cell, let color, let known):
            return "cell \(cell): no node has color \"\(color)\"; colors are \(known.joined(separator: ", "))"
        case .tooFewNodes(let cell, let color, let active, let replicas):
            return "cell \(cell): color \(color) has \(active) active nodes for \(replicas) replicas; add nodes of that color or ask for fewer replicas"
        case .unknownNode(let cell, let node):
            return "cell \(cell): node \(node) is not in the fleet"
        case .inconsistentPlacement(let cell, let detail):
            return "cell \(cell): \(detail)"
        case .notAMember(let cell, let node):
            return "cell \(cell): node \(node) is not one of its members; nothing to replace"
        case .notPlaced(let cell, let detail):
            return "cell \(cell) is not placed as given here (\(detail)); pass the placement the placer returned"
        case .overlapBoundTooWide(let subsetSize, let nodes):
            return "bounding overlap at \(subsetSize - 1) nodes needs every set of \(subsetSize) of \(nodes) nodes numbered in 64 bits, which they are not; choose a smaller overlap bound"
        case .fleet(let error):
            return error.description
        case .tooFewNodesForBaseline(let color, let active, let replicas):
            return "random placement for comparison: color \(color) has \(active) active nodes for cells of \(replicas) replicas"
        case .badFailure(let text):
            return "failure \"\(text)\" is not one of node:ID, rack:ZONE/RACK, zone:ZONE (for example node:12, rack:z1/r3, zone:z2)"
        case .unknownFailureDomain(let name):
            return "failure \(name): the fleet has no such node, rack or zone"
        case .badConfiguration(let detail):
            return "placement configuration: \(detail)"
        case .badShape(let detail):
            return "what-if fleet: \(detail)"
        case .malformedFleetFile(let path, let detail):
            return "fleet file \(path): \(detail)"
        }
    }
}
