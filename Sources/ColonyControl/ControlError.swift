import ColonyAuth
import ColonyClient
import ColonyCore
import ColonyPlacement

/// Why a control-plane command could not do what it was asked. Each says what to do.
public enum ControlError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directory could not be read or written, or refused.
    case directory(DirectoryError)
    /// The placer could not place or re-place the cell.
    case placement(PlacementError)
    /// A cell did not accept what it was asked.
    case cell(String, ColonyError)
    /// Names starting with `_` belong to the colony.
    case reservedName(String)
    /// The node cannot move to the state asked (a gone node never comes back).
    case illegalTransition(node: UInt32, from: NodeState, to: NodeState)
    /// The cell has a move under way or planned, and another was asked.
    case moveUnderWay(String)
    /// The cell is recorded already, placed for another request (replicas, zone, color).
    case placedDifferently(PlacedCell)
    /// A move off a node that is not one of the cell's members.
    case notAMember(cell: String, node: NodeID)
    /// A target the cell cannot have; the text says why.
    case invalidTarget(cell: String, String)
    /// The authorization policy refused a change (`PolicyChange`).
    case policy(PolicyChangeError)
    /// A node may not join as asked (`NodeJoining`); the text says why.
    case joinRefused(node: UInt32, String)

    public var description: String {
        switch self {
        case .directory(let error):
            return error.description
        case .placement(let error):
            return error.description
        case .cell(let name, let error):
            return "cell \(name): \(error)"
        case .reservedName(let name):
            return "the cell name \"\(name)\" starts with \"_\", which is reserved for the colony's own cells (such as \(ColonyDirectory.cell)); choose another name"
        case .illegalTransition(let node, let from, let to):
            return "node \(node) is \(from.rawValue) and cannot become \(to.rawValue); a gone node never returns: give the machine a new node id"
        case .placedDifferently(let record):
            let request = record.placement.request
            let near = request.nearZone.map { " near zone \($0)" } ?? ""
            return "cell \(request.cell) exists already with \(request.replicas) replicas of color \(request.color)\(near) on \(record.placement.members.map(\.description).joined(separator: ",")); move it with `colony cell move \(request.cell) --near ZONE`, or choose another name"
        case .notAMember(let cell, let node):
            return "node \(node.rawValue) holds no replica of cell \(cell); see its members with `colony cell info \(cell)`"
        case .invalidTarget(let cell, let reason):
            return "cell \(cell) cannot move there: \(reason)"
        case .policy(let error):
            return error.description
        case .joinRefused(let node, let reason):
            return "node \(node) cannot join: \(reason)"
        case .moveUnderWay(let name):
            return "cell \(name) is being moved already; wait for the move to finish (`colony control status`)"
        }
    }
}
