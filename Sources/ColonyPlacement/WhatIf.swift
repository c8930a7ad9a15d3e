import ColonyCore

/// A what-if colony: a fleet (a shape, or a list of nodes) and how many cells to place on it.
public struct WhatIf: Hashable, Sendable {
    /// The most cells a what-if run places.
    public static let cellsMax = 10_000_000

    /// The fleet the cells go on.
    public var fleet: Fleet
    /// How many cells to place.
    public var cells: Int
    /// Replicas per cell.
    public var replicas: Int
    /// The placer's configuration (seed, overlap bound, search limit).
    public var configuration: PlacerConfiguration

    /// A what-if run of `cells` cells of `replicas` replicas on `fleet`; throws when a count
    /// is out of range.
    public init(fleet: Fleet, cells: Int, replicas: Int = 7, configuration: PlacerConfiguration = PlacerConfiguration()) throws(PlacementError) {
        guard (1...Self.cellsMax).contains(cells) else {
            throw .badShape("\(cells) cells; a what-if run places 1 to \(Self.cellsMax)")
        }
        guard replicas % 2 == 1, (PlacementRequest.replicasMin...PlacementRequest.replicasMax).contains(replicas) else {
            throw .badShape("\(replicas) replicas; a cell needs an odd count from \(PlacementRequest.replicasMin) to \(PlacementRequest.replicasMax)")
        }
        try configuration.validate()
        self.fleet = fleet
        self.cells = cells
        self.replicas = replicas
        self.configuration = configuration
    }

    /// The name of what-if cell `number` (from 0): `cell-0000001` for 1.
    public static func cellName(_ number: Int) -> String {
        let digits = String(number)
        return "cell-" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    /// What placing the cells gave.
    public struct Outcome: Sendable {
        /// The cells as placed.
        public var table: CellTable
        /// Cells that relaxed each rule.
        public var relaxedCells: [PlacementRule: Int]
        /// The first reason given for each relaxed rule.
        public var firstReason: [PlacementRule: String]
        /// Bytes of the placer's overlap index at the end.
        public var indexBytes: Int
    }

    /// The same cells placed uniformly at random (`RandomPlacement`) from `seed`: the baseline.
    public func placeAtRandom(seed: UInt64) throws(PlacementError) -> CellTable {
        try RandomPlacement.place(cells: cells, fleet: fleet, seed: seed) { number in
            (Self.cellName(number), number % fleet.colors.count, replicas)
        }
    }

    /// Places the cells one by one — cell `i` named `cellName(i)`, of color `i mod colors` —
    /// and returns them as a table.
    public func place() throws(PlacementError) -> Outcome {
        var placer = try Placer(fleet: fleet, configuration: configuration)
        var table = CellTable(reservingCells: cells, replicas: replicas)
        var relaxedCells: [PlacementRule: Int] = [:]
        var firstReason: [PlacementRule: String] = [:]
        for number in 0..<cells {
            let name = Self.cellName(number)
            let request = PlacementRequest(
                cell: CellID(name), replicas: replicas, color: fleet.colors[number % fleet.colors.count])
            let (placement, members, leader) = try placer.placeWithIndices(request)
            table.append(members: members, leader: leader, name: name)
            for relaxation in placement.relaxed {
                relaxedCells[relaxation.rule, default: 0] += 1
                if firstReason[relaxation.rule] == nil { firstReason[relaxation.rule] = "\(name): \(relaxation.reason)" }
            }
        }
        return Outcome(table: table, relaxedCells: relaxedCells, firstReason: firstReason, indexBytes: placer.indexBytes)
    }
}
