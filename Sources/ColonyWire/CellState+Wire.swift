import ColonyCore

// The encodings of a cell's state: the store, the client sessions and the state that joins
// them to a configuration. A snapshot is one of these, so it comes back from disk or from a
// peer only through ColonyCore's checking initializers (`StateParts.swift`).

extension CellStore: WireCodable {
    /// Appends the revision, then every key-value pair in ascending key order.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(revision)
        writer.writeList(all)
    }

    /// Reads the revision and the pairs, rebuilt through `CellStore(revision:items:)`, which
    /// refuses keys out of order and versions beyond the revision.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let revision = try reader.readCounter("CellStore.revision")
        let items: [KeyValue] = try reader.readList("CellStore.items")
        do {
            try self.init(revision: revision, items: items)
        } catch {
            throw .inconsistentState(field: "CellStore", offset: start, reason: error)
        }
    }
}

extension ClientSessionRecord: WireCodable {
    /// Appends client, last sequence, last result and last slot.
    public func encode(into writer: inout ByteWriter) {
        writer.write(client)
        writer.writeVarint(lastSequence)
        writer.write(lastResult)
        writer.writeVarint(lastSlot)
    }

    /// Reads client, last sequence, last result and last slot.
    public init(from reader: inout ByteReader) throws(WireError) {
        let client = try ClientID(from: &reader)
        let lastSequence = try reader.readVarint("ClientSessionRecord.lastSequence")
        let lastResult = try Result<OperationResult, OperationError>(from: &reader)
        let lastSlot = try reader.readCounter("ClientSessionRecord.lastSlot")
        self.init(client: client, lastSequence: lastSequence, lastResult: lastResult, lastSlot: lastSlot)
    }
}

extension ClientSessions: WireCodable {
    /// Appends every session record in ascending client order.
    public func encode(into writer: inout ByteWriter) {
        writer.writeList(records)
    }

    /// Reads the records, which must be in strictly ascending client order, and rebuilds the
    /// table through `ClientSessions(records:)`.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let records: [ClientSessionRecord] = try reader.readList("ClientSessions.records")
        do {
            try self.init(records: records)
        } catch {
            throw .inconsistentState(field: "ClientSessions", offset: start, reason: error)
        }
        for index in records.indices.dropFirst() where !(records[index - 1].client < records[index].client) {
            throw .notCanonical(
                field: "ClientSessions.records", offset: start,
                reason: "client \(records[index].client) follows \(records[index - 1].client)"
            )
        }
    }
}

extension CellState: WireCodable {
    /// Appends configuration, store, sessions and the last applied slot.
    public func encode(into writer: inout ByteWriter) {
        writer.write(configuration)
        writer.write(store)
        writer.write(sessions)
        writer.writeVarint(appliedThrough)
    }

    /// Reads the parts and joins them through ColonyCore's checking initializer.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let configuration = try CellConfiguration(from: &reader)
        let store = try CellStore(from: &reader)
        let sessions = try ClientSessions(from: &reader)
        let appliedThrough = try reader.readCounter("CellState.appliedThrough")
        // The configuration refused a start slot of 0; the last slot is refused here by name.
        guard appliedThrough < Slot.max else {
            throw .valueOutOfRange(field: "CellState.appliedThrough", offset: start, reason: "\(appliedThrough) is past the last usable slot")
        }
        do {
            try self.init(configuration: configuration, store: store, sessions: sessions, appliedThrough: appliedThrough)
        } catch {
            throw .inconsistentState(field: "CellState", offset: start, reason: error)
        }
    }
}
