import ColonyCore
import ColonyPlacement

/// `colony cell move NAME --near ZONE | --off NODE | --to NODES`: chooses where a cell should
/// be, and the directory records it as the cell's target. The control loop then moves the
/// cell there one member at a time, each move a membership change through the cell's log,
/// throttled and pausable like a drain.
///
/// The choice is pure (`target(_:of:in:)`); `OperatorCommand.move` reads the directory,
/// makes it and writes the record, for the `colony` command and the simulator's operator alike.
public enum CellTargeting {
    /// Where an operator wants a cell.
    public enum Destination: Hashable, Sendable {
        /// Where the placer puts the cell for clients in this zone (a majority and the
        /// preferred leader there), placed afresh: it may share few members with where the cell is.
        case near(zone: String)
        /// Where the cell is, with this member replaced by the placer's choice.
        case off(NodeID)
        /// Exactly these members (active nodes, as many as the cell has replicas).
        case onto([NodeID])
    }

    /// The record of cell `name` with its target set to `destination`, every other cell's
    /// placement counted; its `target` is nil when the cell is there already.
    public static func target(_ destination: Destination, of name: String, in snapshot: DirectorySnapshot) throws(ControlError) -> PlacedCell {
        guard var record = snapshot.cells.first(where: { $0.cell.name == name }) else {
            throw .directory(.unknownCell(name))
        }
        guard record.move == nil else { throw .moveUnderWay(name) }
        let target: Placement
        do {
            var placer = try Reconciler.makePlacer(snapshot)
            switch destination {
            case .near(let zone):
                try placer.remove(record.countedPlacement)
                var request = record.placement.request
                request.nearZone = zone
                target = try placer.place(request)
            case .off(let member):
                guard record.placement.members.contains(member) else { throw ControlError.notAMember(cell: name, node: member) }
                if record.countedPlacement != record.placement {
                    try placer.remove(record.countedPlacement)
                    try placer.record(record.placement)
                }
                target = try placer.replace(member, in: record.placement)
            case .onto(let members):
                target = try onto(members, record: record, snapshot: snapshot)
            }
        } catch let error as ControlError {
            throw error
        } catch let error as PlacementError {
            throw .placement(error)
        } catch {
            preconditionFailure("Invalid state: placement throws only PlacementError: \(error)")
        }
        if Set(target.members) == Set(record.placement.members) {
            record.placement = target
            record.target = nil
        } else {
            record.target = target
        }
        return record
    }

    /// A placement of the record's cell on exactly `members`, each an active node; the
    /// preferred leader stays if it is among them.
    private static func onto(_ members: [NodeID], record: PlacedCell, snapshot: DirectorySnapshot) throws(ControlError) -> Placement {
        let name = record.cell.name
        let replicas = record.placement.request.replicas
        guard Set(members).count == members.count, members.count == replicas else {
            throw .invalidTarget(cell: name, "name \(replicas) distinct nodes, one per replica")
        }
        let active = Set(snapshot.nodes.filter { $0.state == .active }.map { NodeID($0.id) })
        if let inactive = members.first(where: { !active.contains($0) }) {
            throw .invalidTarget(cell: name, "node \(inactive.rawValue) is not an active node of the colony")
        }
        let current = record.placement
        let leader = members.contains(current.preferredLeader) ? current.preferredLeader : members.sorted()[0]
        return Placement(request: current.request, members: members, preferredLeader: leader)
    }
}
