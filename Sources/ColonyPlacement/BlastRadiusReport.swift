import ColonyCore

/// What faults do to a colony's cells: the figures of `BlastRadius.analyze`.
public struct BlastRadiusReport: Hashable, Sendable, Codable {
    /// Cells analysed.
    public var cells: Int
    /// Nodes in the fleet.
    public var nodes: Int
    /// Replicas and preferred leaderships per active node.
    public var load: LoadFigures
    /// Every single node's failure.
    public var nodeFailures: DomainFailures
    /// Every single rack's failure.
    public var rackFailures: DomainFailures
    /// Every single zone's failure.
    public var zoneFailures: DomainFailures
    /// The pair of nodes whose joint failure hurts most (most majorities lost, then most
    /// cells touched).
    public var worstNodePair: Failure
    /// Shuffle-sharding figures for each color and replica count.
    public var groups: [OverlapFigures]
}

/// Replicas and preferred leaderships per active node.
public struct LoadFigures: Hashable, Sendable, Codable {
    /// Active nodes counted.
    public var nodes: Int
    /// Fewest replicas on an active node.
    public var replicasMin: Int
    /// Most replicas on an active node.
    public var replicasMax: Int
    /// Mean replicas per active node.
    public var replicasMean: Double
    /// Fewest preferred leaderships on an active node.
    public var leadersMin: Int
    /// Most preferred leaderships on an active node.
    public var leadersMax: Int
    /// Mean preferred leaderships per active node.
    public var leadersMean: Double
}

/// What one failure does: which nodes fail and how many cells lose a replica or a majority.
public struct Failure: Hashable, Sendable, Codable {
    /// The failure's name: `n12`, `z1/r3`, `z2`, `n3+n17`.
    public var name: String
    /// The nodes that fail.
    public var nodes: [UInt32]
    /// Cells that lose at least one replica.
    public var cellsLosingReplica: Int
    /// Cells that lose their majority (unavailable until the nodes return or are replaced).
    public var cellsLosingMajority: Int
}

/// The failures of every domain of one kind (every node, every rack, or every zone).
public struct DomainFailures: Hashable, Sendable, Codable {
    /// Each domain's failure, in fleet order.
    public var each: [Failure]
    /// The domain whose failure touches most cells.
    public var mostTouching: Failure
    /// The domain whose failure takes most majorities (then touches most cells).
    public var mostMajoritiesLost: Failure
    /// How many domains' failures take at least one cell's majority.
    public var domainsTakingAMajority: Int
}

/// Shuffle-sharding figures for the cells of one color and replica count, measured, beside
/// the arithmetic of the ideal.
public struct OverlapFigures: Hashable, Sendable, Codable {
    /// The color of the cells.
    public var color: String
    /// Their replica count.
    public var replicas: Int
    /// How many cells.
    public var cells: Int
    /// Nodes of the color (every state).
    public var nodes: Int
    /// `pairs[k]`: pairs of cells sharing exactly `k` nodes, for `k` from 0 to `replicas`.
    public var pairs: [UInt64]
    /// Nil when `pairs` is exact; otherwise the pairs sampled to estimate the counts below a
    /// majority (those from a majority up are always exact).
    public var pairsSampled: Int?
    /// The set of a majority of nodes (4 for 7 replicas) inside the most cells, and how
    /// many cells its failure takes down.
    public var worstMajoritySet: Failure
    /// Majority-size node sets that lie inside two or more cells.
    public var majoritySetsInSeveralCells: Int
    /// The ideal beside the measure.
    public var ideal: IdealFigures
}
