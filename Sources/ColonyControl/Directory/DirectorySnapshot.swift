import ColonyClient

/// What the directory held at one moment: everything the control loop decides from.
public struct DirectorySnapshot: Hashable, Sendable {
    /// Every node record, in id order.
    public var nodes: [NodeRecord]
    /// Every cell record, in name order.
    public var cells: [PlacedCell]
    /// The control settings.
    public var settings: ControlSettings
    /// The ids of the nodes whose identities the authorization policy revokes: none joins.
    public var revokedNodes: Set<UInt32>

    /// Makes a snapshot.
    public init(nodes: [NodeRecord], cells: [PlacedCell], settings: ControlSettings, revokedNodes: Set<UInt32> = []) {
        self.nodes = nodes
        self.cells = cells
        self.settings = settings
        self.revokedNodes = revokedNodes
    }

    /// The snapshot one listing of the directory cell makes (each key with its value, as a
    /// `list` of `ColonyDirectory.cell` returns them); see `DirectoryReader.snapshot(_:)`.
    public init(listing: [(key: String, value: [UInt8])]) throws(DirectoryError) {
        var reader = DirectoryReader()
        self = try reader.snapshot(listing.map { ($0.key, $0.value, 0) })
    }
}
