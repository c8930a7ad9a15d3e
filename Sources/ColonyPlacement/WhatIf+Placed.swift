import ColonyCore

extension WhatIf {
    /// A running colony as a report reads it: its fleet and the placements its directory
    /// holds, already placed. The replica count is the most common among the placements (a
    /// report groups its overlap figures by replica count and color anyway), and the relaxed
    /// rules are counted from the placements.
    public static func placed(
        fleet: Fleet, placements: [Placement], configuration: PlacerConfiguration = PlacerConfiguration()
    ) throws(PlacementError) -> (whatIf: WhatIf, outcome: Outcome) {
        var replicaCounts: [Int: Int] = [:]
        for placement in placements { replicaCounts[placement.request.replicas, default: 0] += 1 }
        let replicas = replicaCounts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 7
        let whatIf = try WhatIf(fleet: fleet, cells: max(1, placements.count), replicas: replicas, configuration: configuration)
        let table = try CellTable(placements: placements, fleet: fleet)
        var relaxedCells: [PlacementRule: Int] = [:]
        var firstReason: [PlacementRule: String] = [:]
        for placement in placements {
            for relaxation in placement.relaxed {
                relaxedCells[relaxation.rule, default: 0] += 1
                if firstReason[relaxation.rule] == nil { firstReason[relaxation.rule] = "\(placement.request.cell): \(relaxation.reason)" }
            }
        }
        return (whatIf, Outcome(table: table, relaxedCells: relaxedCells, firstReason: firstReason, indexBytes: 0))
    }
}
