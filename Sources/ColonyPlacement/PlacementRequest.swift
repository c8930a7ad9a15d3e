import ColonyCore

/// What to place: one cell, its replica count, and where its clients are.
public struct PlacementRequest: Hashable, Sendable {
    /// The fewest replicas a cell may have.
    public static let replicasMin = 3
    /// The most replicas a cell may have.
    public static let replicasMax = 9

    /// The cell to place; its name seeds the placement's choices.
    public var cell: CellID
    /// How many replicas: odd, from `replicasMin` to `replicasMax`.
    public var replicas: Int
    /// The zone the cell's clients are in, if they named one: the preferred leader and a
    /// majority go there, so commits stay inside that zone while it is healthy.
    public var nearZone: String?
    /// The color (deployment group) whose nodes hold the cell.
    public var color: String

    /// A request for `cell` with `replicas` replicas of `color`, near `nearZone` if given.
    public init(cell: CellID, replicas: Int = 7, nearZone: String? = nil, color: String = Fleet.defaultColor) {
        self.cell = cell
        self.replicas = replicas
        self.nearZone = nearZone
        self.color = color
    }

    /// Replicas that make a majority: 4 of 7.
    public var majority: Int { replicas / 2 + 1 }
}

/// The rules a placement keeps whenever the fleet lets it.
public enum PlacementRule: String, Hashable, Sendable, Codable, CaseIterable {
    /// With 3 or more zones, no zone holds a majority, so a majority survives the loss of any
    /// one zone (3/2/2 for 7 replicas in three zones).
    case zoneMajority
    /// No rack holds more than one replica.
    case rackSpread
    /// Any two cells of the same replica count share at most `overlapMax` nodes (3 of 7 by
    /// default), so no set of nodes that can take one cell's majority lies inside another.
    case overlapBound
    /// With a near zone named, the preferred leader and a majority are in that zone.
    case nearZone
}

/// A rule a placement could not keep, and why.
public struct Relaxation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The rule not kept.
    public var rule: PlacementRule
    /// Why, in words an operator can act on (which zone, how many nodes, what to add).
    public var reason: String

    /// Records that `rule` was not kept because of `reason`.
    public init(rule: PlacementRule, reason: String) {
        self.rule = rule
        self.reason = reason
    }

    public var description: String { "\(rule.rawValue) relaxed: \(reason)" }
}

/// Where a cell's replicas go.
public struct Placement: Hashable, Sendable {
    /// The request this placement answers (kept so the cell can be re-placed or removed).
    public var request: PlacementRequest
    /// The member nodes, ascending by id (as `CellConfiguration` keeps them).
    public var members: [NodeID]
    /// The member that should lead; in the near zone when there is one.
    public var preferredLeader: NodeID
    /// The rules this placement does not keep, each with its reason; empty when it keeps all.
    public var relaxed: [Relaxation]

    /// A placement of `request` on `members` (sorted here) led by `preferredLeader`.
    public init(request: PlacementRequest, members: [NodeID], preferredLeader: NodeID, relaxed: [Relaxation] = []) {
        self.request = request
        self.members = members.sorted()
        self.preferredLeader = preferredLeader
        self.relaxed = relaxed
    }

    /// Whether the placement does not keep `rule`.
    public func relaxes(_ rule: PlacementRule) -> Bool {
        relaxed.contains { $0.rule == rule }
    }
}
