import ColonyClient
import ColonyCore
import ColonyPlacement

/// Makes a colony's directory (`colony directory init`, and `colony dev up`): the placer
/// chooses the directory cell's nodes among `nodes`, the cell is created there like any
/// other, and the node records, the default settings and the directory's own placement are
/// written into it.
///
/// Running it again is safe: the placer chooses the same nodes for the same fleet, an
/// existing directory is kept, and nodes already recorded keep their state (a gone node
/// stays gone); new nodes are added as active, and the control loop rebalances replicas
/// onto them.
public enum DirectoryBootstrap {
    /// Creates (or completes) the directory of a colony of `nodes`, with `replicas` replicas
    /// within `quota`; returns the directory's record.
    public static func initialize(
        nodes: [NodeRecord], replicas: Int, quota: ColonyClient.Quota?, client: ColonyClient
    ) async throws(ControlError) -> PlacedCell {
        let directory = Directory(client: client)
        let request = PlacementRequest(
            cell: CellID(ColonyDirectory.cell), replicas: replicas,
            color: nodes.contains { $0.color == Fleet.defaultColor } ? Fleet.defaultColor : nodes.first?.color ?? Fleet.defaultColor)
        let placement: Placement
        do {
            var placer = try Placer(fleet: try fleet(of: nodes))
            placement = try placer.place(request)
        } catch {
            throw .placement(error)
        }
        var created = placement.members
        do {
            let configuration = try await client.createCell(ColonyDirectory.cell, nodes: placement.members.map(\.rawValue), quota: quota)
            created = configuration.members.map { NodeID($0.node) }
        } catch ColonyError.cellExists {
            // Made by an earlier run with other members: keep it as it is, and its record.
            created = []
        } catch let error as ColonyError {
            throw .cell(ColonyDirectory.cell, error)
        } catch {
            throw .cell(ColonyDirectory.cell, .unavailable("\(error)"))
        }
        do {
            let recorded = try await directory.nodes()
            var reader = DirectoryReader()
            for operation in DirectoryOperation.writes(of: nodes.map { .node($0.keepingState(of: recorded)) }) {
                _ = try await directory.perform(operation, reader: &reader).get()
            }
            if try await directory.writtenSettings() == nil {
                try await directory.put(ControlSettings())
            }
            if let existing = try await directory.cell(ColonyDirectory.cell) { return existing }
            var own = placement
            if !created.isEmpty, Set(created) != Set(placement.members) {
                own = Placement(request: request, members: created, preferredLeader: created[0])
            }
            let record = PlacedCell(placement: own, clientAddresses: Reconciler.clientAddresses(of: own.members, nodes: nodes))
            try await directory.put(record)
            return record
        } catch {
            throw .directory(error)
        }
    }

    /// The fleet of `nodes`, checked.
    static func fleet(of nodes: [NodeRecord]) throws(PlacementError) -> Fleet {
        do {
            return try Fleet(nodes: nodes.map(\.fleetNode))
        } catch {
            throw .fleet(error)
        }
    }
}
