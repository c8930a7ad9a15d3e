import ColonyCore

/// Replicas and preferred leaderships per node, and for each color its active nodes grouped
/// by the replicas they hold: the least-loaded nodes come first without sorting per cell.
///
/// Each level is a bit set of node indices, read in index order, so the grouping — and every
/// choice made from it — depends only on the loads, never on the order in which they were
/// reached: a placer rebuilt from recorded placements chooses exactly as the one that made
/// them. Loads of one color differ by a few replicas, so there are few levels, and a replica
/// more or less moves one bit between two neighbouring levels.
struct NodeLoads: Sendable {
    /// Active nodes of one color that hold the same number of replicas.
    struct Level: Sendable {
        /// The replicas each node of the level holds.
        var load: Int
        /// How many nodes the level holds.
        var count: Int
        /// Bit `i` is set when node index `i` is in the level.
        var members: [UInt64]

        /// Calls `body` with each node of the level, ascending.
        func forEachNode(_ body: (Int) -> Void) {
            for (wordIndex, word) in members.enumerated() {
                var bits = word
                while bits != 0 {
                    body(wordIndex << 6 | bits.trailingZeroBitCount)
                    bits &= bits - 1
                }
            }
        }
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
        let words = (replicas.count + 63) / 64
        for color in levels.indices {
            for level in levels[color].indices where levels[color][level].members.count < words {
                levels[color][level].members.append(0)
            }
        }
        if active { activate(replicas.count - 1) }
    }

    /// Active nodes of `color`.
    func activeCount(_ color: Int) -> Int {
        levels[color].reduce(0) { $0 + $1.count }
    }

    /// Active nodes of `color`, least loaded first.
    func activeNodes(_ color: Int) -> [Int] {
        var nodes: [Int] = []
        for level in levels[color] { level.forEachNode { nodes.append($0) } }
        return nodes
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
        var at = 0
        while at < levels[color].count && levels[color][at].load < load { at += 1 }
        if at == levels[color].count || levels[color][at].load != load {
            levels[color].insert(Level(load: load, count: 0, members: [UInt64](repeating: 0, count: (replicas.count + 63) / 64)), at: at)
        }
        levels[color][at].members[node >> 6] |= 1 << UInt64(node & 63)
        levels[color][at].count += 1
    }

    /// Takes `node` out of the level of its load, dropping the level if it empties.
    private mutating func leave(_ node: Int) {
        let color = colorOfNode[node]
        let load = replicas[node]
        guard let at = levels[color].firstIndex(where: { $0.load == load }),
              levels[color][at].members[node >> 6] & (1 << UInt64(node & 63)) != 0 else {
            preconditionFailure("active node index \(node) is missing from load \(load)")
        }
        levels[color][at].members[node >> 6] &= ~(1 << UInt64(node & 63))
        levels[color][at].count -= 1
        if levels[color][at].count == 0 { levels[color].remove(at: at) }
    }
}

/// The order in which one cell's search tries nodes: nodes of the near zone first (when the
/// request names one), then the others, each part from least to most loaded, and nodes of
/// equal load in an order shuffled by the cell's own generator — lazily, so a search that
/// looks at the first 20 of 300 nodes reads and shuffles only the levels it reaches.
struct Ranking {
    /// The candidates read so far; positions below `fixed` are in their final order.
    private var nodes: [Int] = []
    /// Where each run of equal load (within the near part or the rest) ends, ascending.
    private var runEnds: [Int] = []
    /// Where the near zone's nodes end (0 without a near zone).
    private(set) var nearCount = 0
    /// How many candidates there are in all.
    let count: Int
    private var fixed = 0
    private var run = 0
    private var generator: SplitMix64
    private let nearZone: Int
    private let zoneOfNode: [Int]
    /// Levels not read yet (without a near zone, where they are read as needed).
    private let levels: [NodeLoads.Level]
    private var nextLevel = 0
    private let excluded: Int

    /// Ranks `levels` (ascending by load, each in index order), leaving out `excluded`, nodes
    /// of `nearZone` first when one is given.
    init(levels: [NodeLoads.Level], excluded: Int?, nearZone: Int?, zoneOfNode: [Int], generator: SplitMix64) {
        self.nearZone = nearZone ?? -1
        self.zoneOfNode = zoneOfNode
        self.generator = generator
        self.excluded = excluded ?? -1
        let excludedIsCandidate = excluded.map { node in
            levels.contains { $0.members[node >> 6] & (1 << UInt64(node & 63)) != 0 }
        } ?? false
        count = levels.reduce(0) { $0 + $1.count } - (excludedIsCandidate ? 1 : 0)
        if let nearZone {
            // The near part's length bounds the search, so both parts are read at once.
            self.levels = []
            read(levels) { zoneOfNode[$0] == nearZone }
            nearCount = nodes.count
            read(levels) { zoneOfNode[$0] != nearZone }
        } else {
            self.levels = levels
        }
    }

    private mutating func read(_ levels: [NodeLoads.Level], where included: (Int) -> Bool) {
        for level in levels { read(level, where: included) }
    }

    private mutating func read(_ level: NodeLoads.Level, where included: (Int) -> Bool) {
        let before = nodes.count
        let excluded = excluded
        level.forEachNode { node in
            if node != excluded && included(node) { nodes.append(node) }
        }
        if nodes.count > before { runEnds.append(nodes.count) }
    }

    /// Whether `node` is in the near zone.
    func isNear(_ node: Int) -> Bool {
        zoneOfNode[node] == nearZone
    }

    /// The candidate at `position` (below `count`), fixing the order up to it.
    mutating func node(at position: Int) -> Int {
        while fixed <= position {
            while fixed == nodes.count {
                precondition(nextLevel < levels.count, "position \(position) beyond the \(count) candidates")
                read(levels[nextLevel]) { _ in true }
                nextLevel += 1
            }
            while runEnds[run] <= fixed { run += 1 }
            let pick = fixed + Int(generator.next() % UInt64(runEnds[run] - fixed))
            nodes.swapAt(fixed, pick)
            fixed += 1
        }
        return nodes[position]
    }
}
