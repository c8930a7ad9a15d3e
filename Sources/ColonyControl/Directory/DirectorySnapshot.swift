import ColonyClient

/// What the directory held at one moment: everything the control loop decides from.
public struct DirectorySnapshot: Hashable, Sendable {
    /// Every node record, in id order.
    public var nodes: [NodeRecord]
    /// Every cell record, in name order.
    public var cells: [PlacedCell]
    /// The control settings.
    public var settings: ControlSettings

    /// Makes a snapshot.
    public init(nodes: [NodeRecord], cells: [PlacedCell], settings: ControlSettings) {
        self.nodes = nodes
        self.cells = cells
        self.settings = settings
    }

    /// The snapshot one listing of the directory cell makes (each key with its value, as a
    /// `list` of `ColonyDirectory.cell` returns them): node records under
    /// `ColonyDirectory.nodePrefix`, cell records under `cellPrefix`, and the settings (the
    /// defaults when none were written). Other keys, the loop's status among them, are not
    /// read. Every record is checked; the first malformed one fails the whole snapshot, so no
    /// decision is made on part of the directory.
    public init(listing: [(key: String, value: [UInt8])]) throws(DirectoryError) {
        var nodes: [NodeRecord] = []
        var cells: [PlacedCell] = []
        var settings = ControlSettings()
        for (key, value) in listing {
            if key.hasPrefix(ColonyDirectory.nodePrefix) {
                nodes.append(try DirectoryCoding.decode(value, key: key, as: NodeRecord.self))
            } else if key.hasPrefix(ColonyDirectory.cellPrefix) {
                cells.append(try DirectoryCoding.decode(value, key: key, as: PlacedCell.self))
            } else if key == ColonyDirectory.settingsKey {
                settings = try DirectoryCoding.decode(value, key: key, as: ControlSettings.self)
            }
        }
        self.init(nodes: nodes.sorted { $0.id < $1.id }, cells: cells.sorted { $0.cell < $1.cell }, settings: settings)
    }
}
