import ColonyClient
import ColonyCore
import ColonyPlacement

/// `colony cell create`, the control plane's way: the placer chooses the cell's nodes, with
/// every placement the directory holds recorded first (so the new cell's overlap with each
/// of them stays bounded), the directory records the placement, then the members create
/// the cell.
///
/// The record is written before the cell is created, so a creation that fails half-way is
/// finished by running it again: a cell with a record is created on the recorded members.
/// The same request for a recorded cell is such a retry; a different one is refused. A
/// creation the members refuse as invalid takes its new record out again.
public enum CellCreation {
    /// Places and creates cell `request.cell` within `quota`; returns its record, and whether
    /// the directory held it before (this call was a retry).
    public static func create(
        _ request: PlacementRequest, quota: ColonyClient.Quota?, directory: Directory
    ) async throws(ControlError) -> (record: PlacedCell, placedBefore: Bool) {
        let name = request.cell.name
        guard !ColonyDirectory.isReserved(name) else { throw .reservedName(name) }
        let snapshot: DirectorySnapshot
        do {
            snapshot = try await directory.snapshot()
        } catch {
            throw .directory(error)
        }
        let record: PlacedCell
        let earlier = snapshot.cells.first { $0.cell == request.cell }
        if let earlier {
            guard earlier.placement.request == request else { throw .placedDifferently(earlier) }
            // Only a created cell is moved, and mid-move its members are not the record's yet.
            guard earlier.move == nil else { return (earlier, true) }
            record = earlier
        } else {
            var placer: Placer
            let placement: Placement
            do {
                placer = try Reconciler.makePlacer(snapshot)
                placement = try placer.place(request)
            } catch {
                throw .placement(error)
            }
            record = PlacedCell(
                placement: placement, clientAddresses: Reconciler.clientAddresses(of: placement.members, nodes: snapshot.nodes))
            do {
                try await directory.put(record)
            } catch {
                throw .directory(error)
            }
        }
        try await createMembers(of: record, quota: quota, recordWritten: earlier == nil, directory: directory)
        return (record, earlier != nil)
    }

    /// Asks the members `record` places to create its cell, within `quota`. A creation the
    /// members refuse as invalid (a quota over the colony's maxima) is refused before anything
    /// is made: a record this creation wrote (`recordWritten`) would name a cell no retry of
    /// it can create, so it goes, and the control plane stops placing it.
    static func createMembers(
        of record: PlacedCell, quota: ColonyClient.Quota?, recordWritten: Bool, directory: Directory
    ) async throws(ControlError) {
        let name = record.cell.name
        do {
            _ = try await directory.client.createCell(name, nodes: record.placement.members.map(\.rawValue), quota: quota)
        } catch let error as ColonyError {
            if recordWritten, case .invalidArgument = error { _ = try? await directory.removeCell(name) }
            throw .cell(name, error)
        } catch {
            throw .cell(name, .unavailable("\(error)"))
        }
    }
}
