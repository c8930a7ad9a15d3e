/// The limits one search attempt keeps while it chooses a cell's nodes.
struct SearchRules: Sendable {
    /// The most replicas each zone (by zone index) may hold.
    var zoneCaps: [Int]
    /// The most replicas one rack may hold.
    var rackCap: Int
    /// The fewest replicas the near zone must hold (0: none required).
    var nearMinimum: Int
    /// How many of the new cell's subsets of `index.rank.size` nodes may already be held by
    /// earlier cells: 0 keeps the overlap bound; `Int.max` looks for the set with the fewest
    /// (the bound relaxed, as little as the search limit allows).
    var collisionsAllowed: Int
}

/// One cell's search: a depth-first walk over the ranked candidates that picks nodes in
/// ranking order (each set is visited once, as a combination, never as its permutations), so
/// the first set found is the least-loaded one that keeps the rules. Each node is checked
/// against what is already chosen: its zone's and rack's counts, and — the overlap bound —
/// every subset of `index.rank.size` chosen nodes that it completes, looked up in the index.
/// For 7 replicas and a bound of 3 that is 1 + 4 + 10 + 20 = 35 lookups over a whole cell.
///
/// With the bound relaxed (`collisionsAllowed == Int.max`) the walk is a branch and bound:
/// the first set found sets the number of held subsets to beat, and the walk goes on, pruning
/// every partial set that already holds as many, until the step limit.
struct CellSearch {
    /// What the search found.
    struct Outcome {
        /// The chosen nodes (kept members first), or empty when no set keeps the rules.
        var members: [Int]
        /// Whether the search stopped at its step limit rather than having tried every set.
        var exhausted: Bool
    }

    private let replicas: Int
    private let zoneOfNode: [Int]
    private let rackOfNode: [Int]
    /// The overlap index (an empty one when overlap is not bounded).
    private let index: SubsetIndex
    /// Whether to consult `index`.
    private let checksOverlap: Bool
    /// For `l` chosen nodes, the masks choosing `index.rank.size - 1` of them:
    /// `masks[maskStarts[l]..<maskStarts[l + 1]]` (see `SubsetMasks.byCount`).
    private let masks: [UInt16]
    private let maskStarts: [Int]
    private let rules: SearchRules
    private let stepsMax: Int
    private var ranking: Ranking
    private var chosen: [Int]
    private var sorted: [Int]
    private var collisions = 0
    private var nearChosen = 0
    /// The ranks of the subsets a candidate completes, gathered before any is looked up.
    private var keys: [UInt64] = []
    /// With the bound relaxed: the set with the fewest held subsets found so far.
    private var best: [Int] = []
    private var bestCollisions = Int.max
    private var steps = 0
    private var exhausted = false

    /// A search for `replicas` nodes from `ranking`, starting from `kept` (a cell's members
    /// that stay when one is replaced), within `stepsMax` candidate checks.
    init(
        replicas: Int, kept: [Int], ranking: Ranking, fleet: Fleet, index: SubsetIndex?, rules: SearchRules, stepsMax: Int
    ) {
        self.replicas = replicas
        self.zoneOfNode = fleet.zoneOfNode
        self.rackOfNode = fleet.rackOfNode
        let size = index?.rank.size ?? 1
        guard let empty = SubsetIndex(size: 1, nodeCount: 0) else { preconditionFailure("single nodes always rank") }
        self.index = index ?? empty
        checksOverlap = index != nil
        (masks, maskStarts) = SubsetMasks.byCount[size - 1]
        self.rules = rules
        self.stepsMax = stepsMax
        self.ranking = ranking
        self.chosen = kept
        self.sorted = kept.sorted()
        self.chosen.reserveCapacity(replicas)
        self.sorted.reserveCapacity(replicas)
        nearChosen = kept.reduce(0) { $0 + (ranking.isNear($1) ? 1 : 0) }
    }

    /// Runs the search.
    mutating func run() -> Outcome {
        if extend(from: 0) {
            return Outcome(members: chosen, exhausted: exhausted)
        }
        return Outcome(members: best, exhausted: exhausted)
    }

    /// Whether the search is over: a set keeping the rules was found (or, with the bound
    /// relaxed, one holding no earlier subset).
    private mutating func extend(from start: Int) -> Bool {
        if chosen.count == replicas {
            guard nearChosen >= rules.nearMinimum else { return false }
            guard rules.collisionsAllowed == Int.max else { return true }
            if collisions < bestCollisions {
                best = chosen
                bestCollisions = collisions
            }
            return collisions == 0
        }
        var position = start
        while position < ranking.count && ranking.count - position >= replicas - chosen.count {
            guard steps < stepsMax else {
                exhausted = true
                return false
            }
            steps += 1
            if position >= ranking.nearCount && nearChosen < rules.nearMinimum {
                return false  // the near zone's nodes are all behind: it can no longer get its share
            }
            let node = ranking.node(at: position)
            if let added = admit(node) {
                choose(node, collisions: added)
                if extend(from: position + 1) { return true }
                if exhausted { return false }
                unchoose(node, collisions: added)
            }
            position += 1
        }
        return false
    }

    /// The subsets `node` would complete that earlier cells hold, or nil when `node` breaks a rule.
    private mutating func admit(_ node: Int) -> Int? {
        let zone = zoneOfNode[node]
        let rack = rackOfNode[node]
        var inZone = 0
        var inRack = 0
        for member in chosen {
            guard member != node else { return nil }
            if zoneOfNode[member] == zone {
                inZone += 1
                if rackOfNode[member] == rack { inRack += 1 }
            }
        }
        guard inZone < rules.zoneCaps[zone], inRack < rules.rackCap else { return nil }
        if !ranking.isNear(node) && rules.nearMinimum - nearChosen > replicas - chosen.count - 1 { return nil }
        return completedCollisions(node)
    }

    private mutating func completedCollisions(_ node: Int) -> Int? {
        guard checksOverlap else { return 0 }
        let allowed = rules.collisionsAllowed == Int.max ? bestCollisions - 1 : rules.collisionsAllowed
        keys.removeAll(keepingCapacity: true)
        for at in maskStarts[sorted.count]..<maskStarts[sorted.count + 1] {
            keys.append(index.rank.rank(choosing: masks[at], of: sorted, adding: node))
        }
        let found = keys.withUnsafeBufferPointer { index.countHeld($0) }
        return found > allowed - collisions ? nil : found
    }

    private mutating func choose(_ node: Int, collisions added: Int) {
        chosen.append(node)
        if ranking.isNear(node) { nearChosen += 1 }
        sorted.insert(node, at: sorted.firstIndex { $0 > node } ?? sorted.count)
        collisions += added
    }

    private mutating func unchoose(_ node: Int, collisions added: Int) {
        chosen.removeLast()
        if ranking.isNear(node) { nearChosen -= 1 }
        if let at = sorted.firstIndex(of: node) { sorted.remove(at: at) }
        collisions -= added
    }
}
