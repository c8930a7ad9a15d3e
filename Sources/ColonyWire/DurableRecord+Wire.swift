import ColonyCore

// The encodings of what a replica persists: the records it appends to its node's write-ahead
// log, the same records tagged with their cell, and the folded state a snapshot file holds.

extension DurableRecord: WireCodable {
    /// Appends the `DurableRecordTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .promise(let ballot):
            writer.writeTag(DurableRecordTag.promise)
            writer.write(ballot)
        case .accepted(let slot, let entry):
            writer.writeTag(DurableRecordTag.accepted)
            writer.writeVarint(slot)
            writer.write(entry)
        case .snapshot(let state):
            writer.writeTag(DurableRecordTag.snapshot)
            writer.write(state)
        case .damaged(let renewal):
            writer.writeTag(DurableRecordTag.damaged)
            writer.write(renewal)
        case .healed:
            writer.writeTag(DurableRecordTag.healed)
        case .forcedHeal(let floor):
            writer.writeTag(DurableRecordTag.forcedHeal)
            writer.write(floor)
        case .deleted(let tombstone):
            writer.writeTag(DurableRecordTag.deleted)
            writer.write(tombstone)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(DurableRecordTag.self, "DurableRecord") {
        case .promise:
            self = .promise(try Ballot(from: &reader))
        case .accepted:
            let slot = try reader.readCounter("DurableRecord.accepted.slot")
            self = .accepted(slot: slot, entry: try LogEntry(from: &reader))
        case .snapshot:
            self = .snapshot(try CellState(from: &reader))
        case .damaged:
            self = .damaged(renewal: try RequestID(from: &reader))
        case .healed:
            self = .healed
        case .forcedHeal:
            self = .forcedHeal(floor: try Ballot(from: &reader))
        case .deleted:
            self = .deleted(try CellTombstone(from: &reader))
        }
    }
}

extension CellRecord: WireCodable {
    /// Appends the cell, then the record: one entry of a node's shared write-ahead log.
    public func encode(into writer: inout ByteWriter) {
        writer.write(cell)
        writer.write(record)
    }

    /// Reads the cell and the record.
    public init(from reader: inout ByteReader) throws(WireError) {
        let cell = try CellID(from: &reader)
        self.init(cell: cell, record: try DurableRecord(from: &reader))
    }
}

extension DurableCellState: WireCodable {
    /// Appends the promise, the optional snapshot, the entries in ascending slot order, the
    /// optional pending renewal and the optional tombstone.
    public func encode(into writer: inout ByteWriter) {
        writer.write(promised)
        writer.write(snapshot)
        writer.writeList(entries.sorted { $0.key < $1.key }.map { SlotEntry(slot: $0.key, entry: $0.value) })
        writer.write(damagedRenewal)
        writer.write(tombstone)
    }

    /// Reads the parts, the tombstone included.
    public init(from reader: inout ByteReader) throws(WireError) {
        try self.init(from: &reader, withTombstone: true)
    }

    /// Reads the parts; entries must be in strictly ascending slot order, after the snapshot's
    /// last applied slot (the fold of durable records never keeps an entry the snapshot covers).
    /// Without `withTombstone`, reads the form written before cells could be deleted, which
    /// ends after the renewal (snapshot files of format 1).
    public init(from reader: inout ByteReader, withTombstone: Bool) throws(WireError) {
        let promised = try Ballot(from: &reader)
        let snapshot = try CellState?(from: &reader)
        let entriesStart = reader.offset
        let list: [SlotEntry] = try reader.readList("DurableCellState.entries")
        let entries = try Self.entries(list, after: snapshot?.appliedThrough, offset: entriesStart)
        let damagedRenewal = try RequestID?(from: &reader)
        let tombstoneStart = reader.offset
        let tombstone = withTombstone ? try CellTombstone?(from: &reader) : nil
        if tombstone != nil, snapshot != nil || !entries.isEmpty || damagedRenewal != nil || promised != .zero {
            throw .inconsistentState(
                field: "DurableCellState.tombstone", offset: tombstoneStart,
                reason: .inconsistent("a deleted cell keeps nothing but its tombstone"))
        }
        self.init(promised: promised, snapshot: snapshot, entries: entries, damagedRenewal: damagedRenewal, tombstone: tombstone)
    }

    private static func entries(_ list: [SlotEntry], after snapshotSlot: Slot?, offset: Int) throws(WireError) -> [Slot: LogEntry] {
        let field = "DurableCellState.entries"
        var entries: [Slot: LogEntry] = [:]
        entries.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            if index > 0, !(list[index - 1].slot < item.slot) {
                throw .notCanonical(field: field, offset: offset, reason: "slot \(item.slot) follows slot \(list[index - 1].slot)")
            }
            if let snapshotSlot, item.slot <= snapshotSlot {
                throw .inconsistentState(
                    field: field, offset: offset,
                    reason: .inconsistent("entry at slot \(item.slot) is covered by the snapshot through slot \(snapshotSlot)")
                )
            }
            entries[item.slot] = item.entry
        }
        return entries
    }
}
