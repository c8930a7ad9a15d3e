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
public enum CellCreation {
    /// Places and creates cell `request.cell` within `quota`; returns its record.
    public static func create(
        _ request: PlacementRequest, quota: ColonyClient.Quota?, directory: Directory
    ) async throws(ControlError) -> PlacedCell {
        let name = request.cell.name
        guard !ColonyDirectory.isReserved(name) else { throw .reservedName(name) }
        let snapshot: DirectorySnapshot
        do {
            snapshot = try await directory.snapshot()
        } catch {
            throw .directory(error)
        }
        let record: PlacedCell
        if let earlier = snapshot.cells.first(where: { $0.cell == request.cell }) {
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
        do {
            _ = try await directory.client.createCell(name, nodes: record.placement.members.map(\.rawValue), quota: quota)
        } catch let error as ColonyError {
            throw .cell(name, error)
        } catch {
            throw .cell(name, .unavailable("\(error)"))
        }
        return record
    }
}
