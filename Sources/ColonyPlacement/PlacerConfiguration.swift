/// How a placer chooses: its seed, the overlap bound, and how hard it searches.
public struct PlacerConfiguration: Hashable, Sendable, Codable {
    /// The default search limit, in candidate nodes examined per attempt.
    public static let searchStepsDefault = 20_000

    /// Mixed into every cell's seed: two colonies with different seeds place the same cell
    /// names differently.
    public var seed: UInt64
    /// The most nodes two cells of the same replica count may share; nil means one less than
    /// a majority (3 of 7), so no set of nodes that can take a cell's majority lies inside
    /// two cells. A bound of `replicas` or more switches the rule off.
    public var overlapMax: Int?
    /// The most candidate nodes one search attempt examines before it gives up on the rules
    /// it is trying to keep and relaxes the next one.
    public var searchStepsMax: Int

    /// A configuration; the defaults keep overlap at most one less than a majority.
    public init(seed: UInt64 = 0, overlapMax: Int? = nil, searchStepsMax: Int = PlacerConfiguration.searchStepsDefault) {
        self.seed = seed
        self.overlapMax = overlapMax
        self.searchStepsMax = searchStepsMax
    }

    /// The overlap bound for cells of `replicas` replicas.
    public func overlapMax(replicas: Int) -> Int {
        overlapMax ?? (replicas - 1) / 2
    }

    /// Throws when a value is out of range.
    public func validate() throws(PlacementError) {
        if let overlapMax, overlapMax < 0 {
            throw .badConfiguration("overlap bound \(overlapMax) is negative; use 0 (cells share no node) or more")
        }
        guard searchStepsMax >= 1 else {
            throw .badConfiguration("search limit \(searchStepsMax) must be at least 1")
        }
    }
}
