import ColonyCore

/// Replicas and preferred leaderships per node, and for each color its active nodes grouped
/// by the replicas they hold: the least-loaded nodes come first without sorting per cell.
///
/// Within a load, nodes are kept in index order, so the grouping — and every choice made from
/// it — depends only on the loads, never on the order in which they were reached: a placer
/// rebuilt from recorded placements chooses exactly as the one that made them. Loads of one
/// color differ by a few replicas, so there are few levels and each change moves one node
/// between two neighbouring levels.
struct NodeLoads: Sendable {
    /// Active nodes of one color that hold the same number of replicas, ascending by index.
    struct Level: Sendable {
        /// The replicas each node of the level holds.
        var load: Int
        /// The nodes, ascending.
        var nodes: [Int]
    }

    /// Replicas each node holds, by node index.
    private(set) var replicas: [Int] = []
    /// Cells each node is the preferred leader of, by node index.
    private(set) var leaders: [Int] = []
    /// For each color index: its active nodes by level, ascending by load.
    private(set) var levels: [[Level]] = []
    /// For each node index: whether it is active (in its color's levels).
    private var isActive: [Bool] = []
    /// For each node index: its color index.
    private var colorOfNode: [Int] = []

    /// Adds a node with no replicas, in `color`, active or not.
    mutating func addNode(color: Int, active: Bool) {
        replicas.append(0)
        leaders.append(0)
        isActive.append(false)
        colorOfNode.append(color)
        while levels.count <= color { levels.append([]) }
        if active { activate(replicas.count - 1) }
    }

    /// Active nodes of `color`.
    func activeCount(_ color: Int) -> Int {
        levels[color].reduce(0) { $0 + $1.nodes.count }
    }

    /// Active nodes of `color`, least loaded first.
    func activeNodes(_ color: Int) -> [Int] {
        levels[color].flatMap(\.nodes)
    }

    /// Puts `node` among its color's active nodes.
    mutating func activate(_ node: Int) {
        guard !isActive[node] else { return }
        isActive[node] = true
        enter(node)
    }

    /// Takes `node` out of its color's active nodes (it is draining or gone); it keeps its counts.
    mutating func deactivate(_ node: Int) {
        guard isActive[node] else { return }
        isActive[node] = false
        leave(node)
    }

    /// Counts one more replica on `node`.
    mutating func addReplica(_ node: Int) {
        if isActive[node] { leave(node) }
        replicas[node] += 1
        if isActive[node] { enter(node) }
    }

    /// Counts one replica fewer on `node`, which holds at least one.
    mutating func removeReplica(_ node: Int) {
        precondition(replicas[node] > 0, "node index \(node) holds no replica to remove")
        if isActive[node] { leave(node) }
        replicas[node] -= 1
        if isActive[node] { enter(node) }
    }

    /// Counts `change` (+1 or -1) preferred leaderships on `node`.
    mutating func addLeaders(_ change: Int, on node: Int) {
        precondition(leaders[node] + change >= 0, "node index \(node) leads no cell to remove")
        leaders[node] += change
    }

    /// Puts `node` into the level of its load, making the level if there is none.
    private mutating func enter(_ node: Int) {
        let color = colorOfNode[node]
        let load = replicas[node]
        let at = levels[color].firstIndex { $0.load >= load } ?? levels[color].count
        if at == levels[color].count || levels[color][at].load != load {
            levels[color].insert(Level(load: load, nodes: [node]), at: at)
        } else {
            levels[color][at].nodes.insert(node, at: Self.insertionPoint(of: node, in: levels[color][at].nodes))
        }
    }

    /// Takes `node` out of the level of its load, dropping the level if it empties.
    private mutating func leave(_ node: Int) {
        let color = colorOfNode[node]
        let load = replicas[node]
        guard let at = levels[color].firstIndex(where: { $0.load == load }) else {
            preconditionFailure("active node index \(node) is missing from load \(load)")
        }
        let position = Self.insertionPoint(of: node, in: levels[color][at].nodes)
        precondition(levels[color][at].nodes[position] == node, "node index \(node) is missing from its level")
        levels[color][at].nodes.remove(at: position)
        if levels[color][at].nodes.isEmpty { levels[color].remove(at: at) }
    }

    /// The first position in the ascending `nodes` holding `node` or more.
    private static func insertionPoint(of node: Int, in nodes: [Int]) -> Int {
        var low = 0
        var high = nodes.count
        while low < high {
            let middle = (low + high) / 2
            if nodes[middle] < node { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// The order in which one cell's search tries nodes: nodes of the near zone first (when the
/// request names one), then the others, each part from least to most loaded, and nodes of
/// equal load in an order shuffled by the cell's own generator — lazily, so a search that
/// looks at the first 20 of 300 nodes shuffles only those.
struct Ranking {
    /// The candidates; positions below `fixed` are in their final order.
    private var nodes: [Int] = []
    /// Where each run of equal load (within the near part or the rest) ends, ascending.
    private var runEnds: [Int] = []
    /// Where the near zone's nodes end (0 without a near zone).
    private(set) var nearCount = 0
    private var fixed = 0
    private var run = 0
    private var generator: SplitMix64
    private let nearZone: Int
    private let zoneOfNode: [Int]

    /// Ranks `levels` (ascending by load, each in index order), leaving out `excluded`, nodes
    /// of `nearZone` first when one is given.
    init(levels: [NodeLoads.Level], excluded: Int?, nearZone: Int?, zoneOfNode: [Int], generator: SplitMix64) {
        self.nearZone = nearZone ?? -1
        self.zoneOfNode = zoneOfNode
        self.generator = generator
        let isNear = self.isNear
        if nearZone != nil {
            append(levels, excluded: excluded, where: isNear)
            nearCount = nodes.count
            append(levels, excluded: excluded) { !isNear($0) }
        } else if excluded != nil {
            append(levels, excluded: excluded) { _ in true }
        } else {
            for level in levels {
                nodes.append(contentsOf: level.nodes)
                runEnds.append(nodes.count)
            }
        }
    }

    private mutating func append(_ levels: [NodeLoads.Level], excluded: Int?, where included: (Int) -> Bool) {
        for level in levels {
            let before = nodes.count
            for node in level.nodes where node != excluded && included(node) { nodes.append(node) }
            if nodes.count > before { runEnds.append(nodes.count) }
        }
    }

    /// Whether `node` is in the near zone.
    func isNear(_ node: Int) -> Bool {
        zoneOfNode[node] == nearZone
    }

    /// How many candidates there are.
    var count: Int { nodes.count }

    /// The candidate at `position`, fixing the order up to it.
    mutating func node(at position: Int) -> Int {
        while fixed <= position {
            if fixed == runEnds[run] { run += 1 }
            let pick = fixed + Int(generator.next() % UInt64(runEnds[run] - fixed))
            nodes.swapAt(fixed, pick)
            fixed += 1
        }
        return nodes[position]
    }
}
