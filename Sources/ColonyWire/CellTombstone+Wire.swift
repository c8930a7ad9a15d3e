import ColonyCore

// The encoding of what is left of a deleted cell. It travels in a `cellDeleted` peer
// message, in a `deleted` log record and in the deleted cell's snapshot file.

extension CellTombstone: WireCodable {
    /// Appends the configuration, the slot that deleted the cell and its last revision.
    public func encode(into writer: inout ByteWriter) {
        writer.write(configuration)
        writer.writeVarint(slot)
        writer.writeVarint(revision)
    }

    /// Reads the parts; the slot must lie within the configuration's epoch.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let configuration = try CellConfiguration(from: &reader)
        let slot = try reader.readCounter("CellTombstone.slot")
        let revision = try reader.readCounter("CellTombstone.revision")
        guard slot >= configuration.startSlot, slot < Slot.max else {
            throw .valueOutOfRange(
                field: "CellTombstone.slot", offset: start,
                reason: "slot \(slot) is not within the epoch that starts at slot \(configuration.startSlot)")
        }
        self.init(configuration: configuration, slot: slot, revision: revision)
    }
}
