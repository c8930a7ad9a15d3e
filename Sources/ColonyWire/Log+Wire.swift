import ColonyCore

// The encodings of the replicated log: the commands of a slot's batch and the entries a
// replica holds. These are the bulk of every write-ahead log.

extension Command: WireCodable {
    /// Appends the `CommandTag` and, for a client command, the command.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .client(let command):
            writer.writeTag(CommandTag.client)
            writer.write(command)
        case .noop:
            writer.writeTag(CommandTag.noop)
        }
    }

    /// Reads the tag and, for a client command, the command.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(CommandTag.self, "Command") {
        case .client: self = .client(try ClientCommand(from: &reader))
        case .noop: self = .noop
        }
    }
}

extension ClientCommand: WireCodable {
    /// Appends request id, operation and whether it opens a session.
    public func encode(into writer: inout ByteWriter) {
        writer.write(id)
        writer.write(operation)
        writer.writeBool(opensSession)
    }

    /// Reads request id, operation and whether it opens a session.
    public init(from reader: inout ByteReader) throws(WireError) {
        let id = try RequestID(from: &reader)
        let operation = try CellOperation(from: &reader)
        self.init(id: id, operation: operation, opensSession: try reader.readBool("ClientCommand.opensSession"))
    }
}

extension LogEntry: WireCodable {
    /// Appends the ballot, the batch as a list and whether it is chosen.
    public func encode(into writer: inout ByteWriter) {
        writer.write(ballot)
        writer.writeList(batch)
        writer.writeBool(isChosen)
    }

    /// Reads the ballot, the batch and whether it is chosen.
    public init(from reader: inout ByteReader) throws(WireError) {
        let ballot = try Ballot(from: &reader)
        let batch: Batch = try reader.readList("LogEntry.batch")
        self.init(ballot: ballot, batch: batch, isChosen: try reader.readBool("LogEntry.isChosen"))
    }
}

extension SlotEntry: WireCodable {
    /// Appends the slot as a varint, then the entry.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(slot)
        writer.write(entry)
    }

    /// Reads the slot and the entry.
    public init(from reader: inout ByteReader) throws(WireError) {
        let slot = try reader.readCounter("SlotEntry.slot")
        self.init(slot: slot, entry: try LogEntry(from: &reader))
    }
}
