import ColonyCore

/// Placed cells, compactly: each cell's member node indices (into the fleet), its preferred
/// leader and its name. A million cells of 7 replicas take about 40 MB.
///
/// This is what the blast-radius analysis reads: a what-if run appends the placer's choices
/// as it goes, and a running colony's directory can hand its placements over through
/// `init(placements:fleet:)`.
public struct CellTable: Sendable {
    /// Every cell's members, one after another.
    private var members: [UInt16] = []
    /// Where each cell's members start in `members`; one more entry than there are cells.
    private var starts: [UInt32] = [0]
    /// Each cell's preferred leader (a node index).
    private var leaders: [UInt16] = []
    /// Each cell's name.
    public private(set) var names: [String] = []

    /// An empty table with room for `cells` cells of `replicas` replicas.
    public init(reservingCells cells: Int = 0, replicas: Int = 7) {
        members.reserveCapacity(cells * replicas)
        starts.reserveCapacity(cells + 1)
        leaders.reserveCapacity(cells)
        names.reserveCapacity(cells)
    }

    /// The table of `placements`, whose members must all be nodes of `fleet`.
    public init(placements: [Placement], fleet: Fleet) throws(PlacementError) {
        self.init(reservingCells: placements.count)
        for placement in placements {
            var indices: [Int] = []
            for id in placement.members {
                guard let index = fleet.index(of: id) else {
                    throw .unknownNode(cell: placement.request.cell, node: id)
                }
                indices.append(index)
            }
            guard let leader = fleet.index(of: placement.preferredLeader), indices.contains(leader) else {
                throw .inconsistentPlacement(cell: placement.request.cell, detail: "preferred leader \(placement.preferredLeader) is not a member")
            }
            append(members: indices, leader: leader, name: placement.request.cell.name)
        }
    }

    /// Cells in the table.
    public var count: Int { leaders.count }

    /// Appends a cell on node indices `members` (each below `Fleet.nodesMax`) led by `leader`.
    public mutating func append(members cellMembers: [Int], leader: Int, name: String) {
        precondition(cellMembers.count <= PlacementRequest.replicasMax, "cell \(name) has \(cellMembers.count) members")
        for node in cellMembers { members.append(UInt16(node)) }
        starts.append(UInt32(members.count))
        leaders.append(UInt16(leader))
        names.append(name)
    }

    /// The member node indices of cell `cell`.
    @inline(__always)
    public func members(of cell: Int) -> ArraySlice<UInt16> {
        members[Int(starts[cell])..<Int(starts[cell + 1])]
    }

    /// The number of replicas of cell `cell`.
    @inline(__always)
    public func replicas(of cell: Int) -> Int {
        Int(starts[cell + 1] - starts[cell])
    }

    /// The preferred leader (a node index) of cell `cell`.
    public func leader(of cell: Int) -> Int {
        Int(leaders[cell])
    }

    /// Bytes the table holds, not counting names longer than 15 bytes.
    public var bytes: Int {
        members.capacity * 2 + starts.capacity * 4 + leaders.capacity * 2 + names.capacity * 16
    }
}

/// Plain random placement, the baseline shuffle sharding is measured against: every cell
/// gets distinct nodes drawn uniformly from the active nodes of its color, with no regard to
/// zones, racks, load or other cells, and its first node leads.
public enum RandomPlacement {
    /// A table like `table` — the same cells with the same replica counts, each on nodes of
    /// its first member's color — placed at random from `seed`.
    /// Throws when a color has fewer active nodes than one of its cells has replicas.
    public static func place(like table: CellTable, fleet: Fleet, seed: UInt64) throws(PlacementError) -> CellTable {
        try place(cells: table.count, fleet: fleet, seed: seed) { cell in
            (table.names[cell], fleet.colorOfNode[Int(table.members(of: cell).first ?? 0)], table.replicas(of: cell))
        }
    }

    /// `cells` cells placed at random from `seed`, cell `i` being `describe(i)`: its name, its
    /// color (an index into `fleet.colors`) and its replica count.
    public static func place(
        cells: Int, fleet: Fleet, seed: UInt64, describe: (Int) -> (name: String, color: Int, replicas: Int)
    ) throws(PlacementError) -> CellTable {
        var pools = [[Int]](repeating: [], count: fleet.colors.count)
        for (index, node) in fleet.nodes.enumerated() where node.state == .active {
            pools[fleet.colorOfNode[index]].append(index)
        }
        var generator = SplitMix64(seed: seed)
        var result = CellTable(reservingCells: cells)
        var chosen: [Int] = []
        for cell in 0..<cells {
            let (name, color, replicas) = describe(cell)
            guard pools[color].count >= replicas else {
                throw .tooFewNodesForBaseline(color: fleet.colors[color], active: pools[color].count, replicas: replicas)
            }
            chosen.removeAll(keepingCapacity: true)
            // A partial Fisher–Yates shuffle: the pool stays a permutation, so each draw is uniform.
            for slot in 0..<replicas {
                let pick = slot + Int(generator.next() % UInt64(pools[color].count - slot))
                pools[color].swapAt(slot, pick)
                chosen.append(pools[color][slot])
            }
            result.append(members: chosen, leader: chosen[0], name: name)
        }
        return result
    }
}
