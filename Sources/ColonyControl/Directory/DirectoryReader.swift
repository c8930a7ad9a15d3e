import ColonyAuth
import ColonyClient

/// Turns listings of the directory into snapshots, decoding only the records written since
/// the last listing: a record's version names its bytes, so one already decoded at that
/// version is taken as it was. Every pass of the control loop lists the whole directory;
/// with this, a pass that finds a few records changed decodes those few.
public struct DirectoryReader: Sendable {
    /// One decoded record.
    private enum Decoded: Sendable {
        case node(NodeRecord)
        case cell(PlacedCell)
        case settings(ControlSettings)
        case revokedNodes(Set<UInt32>)
    }

    /// The records of the last listing, by key, with the version each was decoded at.
    private var decoded: [String: (version: UInt64, record: Decoded)] = [:]

    /// A reader that has decoded nothing yet.
    public init() {}

    /// The snapshot `listing` makes: node records under `ColonyDirectory.nodePrefix`, cell
    /// records under `cellPrefix`, the settings (the defaults when none were written), and
    /// the nodes the authorization policy revokes (none without a policy). Other keys, the
    /// loop's status among them, are not read. Every record is checked; the
    /// first malformed one fails the whole snapshot, so no decision is made on part of the
    /// directory.
    public mutating func snapshot(_ listing: [(key: String, value: [UInt8], version: UInt64)]) throws(DirectoryError) -> DirectorySnapshot {
        var nodes: [NodeRecord] = []
        var cells: [PlacedCell] = []
        var settings = ControlSettings()
        var revokedNodes: Set<UInt32> = []
        var kept: [String: (version: UInt64, record: Decoded)] = [:]
        kept.reserveCapacity(listing.count)
        for (key, value, version) in listing {
            let record: Decoded
            if let earlier = decoded[key], earlier.version == version, version != 0 {
                record = earlier.record
            } else if key.hasPrefix(ColonyDirectory.nodePrefix) {
                record = .node(try DirectoryCoding.decode(value, key: key, as: NodeRecord.self))
            } else if key.hasPrefix(ColonyDirectory.cellPrefix) {
                record = .cell(try DirectoryCoding.decode(value, key: key, as: PlacedCell.self))
            } else if key == ColonyDirectory.settingsKey {
                record = .settings(try DirectoryCoding.decode(value, key: key, as: ControlSettings.self))
            } else if key == ColonyDirectory.policyKey {
                record = .revokedNodes(try DirectoryCoding.decode(value, key: key, as: AuthPolicy.self).revokedNodes)
            } else {
                continue
            }
            kept[key] = (version, record)
            switch record {
            case .node(let node): nodes.append(node)
            case .cell(let cell): cells.append(cell)
            case .settings(let written): settings = written
            case .revokedNodes(let revoked): revokedNodes = revoked
            }
        }
        decoded = kept
        return DirectorySnapshot(
            nodes: nodes.sorted { $0.id < $1.id }, cells: cells.sorted { $0.cell < $1.cell }, settings: settings, revokedNodes: revokedNodes)
    }
}
