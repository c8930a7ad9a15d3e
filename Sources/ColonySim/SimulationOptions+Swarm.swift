import ColonyCore

extension SimulationOptions {
    /// Swarm testing (as TigerBeetle's VOPR does): the seed draws the colony's shape and the
    /// fault mix as well as the faults themselves — 3 to 15 nodes and up to 3 spares, 1 to 3
    /// zones, 1 to 300 cells of 3, 5, 7 or 9 replicas mixed (in one seed of eight, 1,000 to
    /// 5,000 cells, most of them at rest most of the time), 1 to 32 clients (at most 16 a
    /// cell: `swarmClientsPerCellMax`), each fault kind on or off, and how often and how hard
    /// faults strike. Everything else is `base`'s.
    /// The same seed always draws the same options, so a failing swarm seed replays with
    /// `colony sim --swarm --seeds 1 --seed N`.
    public static func swarm(seed: UInt64, base: SimulationOptions = SimulationOptions()) -> SimulationOptions {
        var random = SplitMix64(seed: seed ^ 0x5A5A_F00D_D15E_A5E5)
        var options = base
        options.nodes = 3 + Int(random.next() % 13)
        options.spareNodes = Int(random.next() % 4)
        options.zones = 1 + Int(random.next() % UInt64(min(3, options.nodes)))
        options.cells = 1 + Int(random.next() % 300)
        // Drawn first and capped after, so every other shape stays as it was.
        options.clients = min(1 + Int(random.next() % 32), Self.swarmClientsPerCellMax * options.cells)
        let counts = [3, 5, 7, 9].filter { $0 <= options.nodes }
        // Some seeds keep one replica count, others mix every count the fleet allows.
        let mix = random.next() % 2 == 0 ? [counts[Int(random.next() % UInt64(counts.count))]] : counts
        options.replicasPerCell = (0..<options.cells).map { _ in mix[Int(random.next() % UInt64(mix.count))] }
        options.replicas = options.replicasPerCell?.max() ?? 3
        var faults: Set<FaultKind> = []
        for kind in FaultKind.allCases where random.next() % 2 == 0 {
            faults.insert(kind)
        }
        options.faults = faults
        var rates = FaultRates()
        rates.intervalMin = (50 + random.next() % 450) * Nanoseconds.millisecond
        rates.intervalMax = rates.intervalMin + random.next() % (1_500 * Nanoseconds.millisecond)
        rates.durationMax = (200 + random.next() % 2_800) * Nanoseconds.millisecond
        rates.activeMax = 1 + Int(random.next() % 4)
        rates.lossPercentMax = 5 + random.next() % 46
        rates.duplicatePercentMax = 5 + random.next() % 26
        rates.reorderPercentMax = 5 + random.next() % 46
        options.faultRates = rates
        // Drawn last, so every other shape stays as it was.
        if random.next() % 8 == 0 {
            options.cells = 1_000 + Int(random.next() % 4_001)
            let drawn = options.replicasPerCell ?? []
            options.replicasPerCell = (0..<options.cells).map { index in
                index < drawn.count ? drawn[index] : mix[Int(random.next() % UInt64(mix.count))]
            }
        }
        // After the shape, so every shape stays as it was: half the seeds raise the format
        // level somewhere in the run.
        if random.next() % 2 == 0 { options.formatRaisedAt = random.next() % max(1, options.duration) }
        return options
    }

    /// The most clients a swarm shape has per cell. The clients spread their operations over
    /// the cells, and the checker decides a cell with transactions (cell 0 always) as one
    /// object, a map of its keys: its search grows with the operations in flight on that
    /// cell, those of unknown outcome above all, and one cell with 21 to 28 clients and the
    /// faults that leave outcomes unknown overran the search's budget (swarm seeds 177, 420
    /// and 674). A checker that gives up decides nothing, so no shape goes beyond this.
    static var swarmClientsPerCellMax: Int { 16 }

    /// How many replicas cell `cellIndex` has.
    public func replicas(ofCell cellIndex: Int) -> Int {
        replicasPerCell?[cellIndex] ?? replicas
    }

    /// The fewest replicas any cell has: faults that take nodes away are bounded by it, so
    /// that they never take a majority of a cell for good.
    var replicasMin: Int {
        replicasPerCell?.min() ?? replicas
    }

    /// A line describing the shape, for a failing seed's report.
    public var shapeDescription: String {
        let replicas = replicasPerCell.map { counts in
            Dictionary(grouping: counts, by: { $0 }).keys.sorted().map { "\($0)" }.joined(separator: "/")
        } ?? "\(self.replicas)"
        return "\(nodes) nodes (+\(spareNodes) spare, \(zones) zones), \(cells) cells of \(replicas) replicas, \(clients) clients, faults: \(faults.sorted().map(\.rawValue).joined(separator: ","))"
    }
}
