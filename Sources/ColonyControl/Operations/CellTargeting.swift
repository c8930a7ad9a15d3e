import ColonyCore
import ColonyPlacement

/// `colony cell move NAME --near ZONE`: the placer chooses where the cell should be for
/// clients in that zone (every other placement recorded), and the directory records it as the
/// cell's target. The control loop then moves the cell there one member at a time, each move
/// a membership change through the cell's log, throttled and pausable like a drain.
public enum CellTargeting {
    /// Records a target near `zone` for cell `name`; returns the record (its `target` is nil
    /// when the cell is where it should be already).
    public static func moveNear(_ name: String, zone: String, directory: Directory) async throws(ControlError) -> PlacedCell {
        let snapshot: DirectorySnapshot
        do {
            snapshot = try await directory.snapshot()
        } catch {
            throw .directory(error)
        }
        guard var record = snapshot.cells.first(where: { $0.cell.name == name }) else {
            throw .directory(.unknownCell(name))
        }
        guard record.move == nil else { throw .moveUnderWay(name) }
        var request = record.placement.request
        request.nearZone = zone
        do {
            var placer = try Reconciler.makePlacer(snapshot)
            try placer.remove(record.countedPlacement)
            // The target is placed afresh, so it may share few members with where the cell
            // is: each member it changes is one move.
            let target = try placer.place(request)
            if Set(target.members) == Set(record.placement.members) {
                record.placement = target
                record.target = nil
            } else {
                record.target = target
            }
        } catch {
            throw .placement(error)
        }
        do {
            try await directory.put(record)
        } catch {
            throw .directory(error)
        }
        return record
    }
}
