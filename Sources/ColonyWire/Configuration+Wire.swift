import ColonyCore

// The encodings of a cell's configuration: its limits, its members, and the reasons a
// configuration or a membership change is refused.

extension CellLimits: WireCodable {
    /// Appends the six limits in declaration order, each as a signed varint.
    public func encode(into writer: inout ByteWriter) {
        writer.writeInt(keyBytesMax)
        writer.writeInt(valueBytesMax)
        writer.writeInt(keysMax)
        writer.writeInt(cellBytesMax)
        writer.writeInt(transactionStepsMax)
        writer.writeInt(sessionsMax)
    }

    /// Reads the six limits; a negative limit is refused, since each counts something.
    public init(from reader: inout ByteReader) throws(WireError) {
        let keyBytesMax = try reader.readCount("CellLimits.keyBytesMax")
        let valueBytesMax = try reader.readCount("CellLimits.valueBytesMax")
        let keysMax = try reader.readCount("CellLimits.keysMax")
        let cellBytesMax = try reader.readCount("CellLimits.cellBytesMax")
        let transactionStepsMax = try reader.readCount("CellLimits.transactionStepsMax")
        let sessionsMax = try reader.readCount("CellLimits.sessionsMax")
        self.init(
            keyBytesMax: keyBytesMax, valueBytesMax: valueBytesMax, keysMax: keysMax, cellBytesMax: cellBytesMax,
            transactionStepsMax: transactionStepsMax, sessionsMax: sessionsMax
        )
    }
}

extension CellConfiguration: WireCodable {
    /// Appends epoch, the members in ascending order, start slot and limits.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(epoch)
        writer.writeList(members)
        writer.writeVarint(startSlot)
        writer.write(limits)
    }

    /// Reads the parts and rebuilds the configuration through its validating initializer;
    /// members must be strictly ascending, the one order the encoder writes.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let epoch = try reader.readCounter("CellConfiguration.epoch")
        let members: [NodeID] = try reader.readList("CellConfiguration.members")
        let startSlot = try reader.readCounter("CellConfiguration.startSlot")
        let limits = try CellLimits(from: &reader)
        do {
            try self.init(epoch: epoch, members: members, startSlot: startSlot, limits: limits)
        } catch {
            throw .invalidConfiguration(field: "CellConfiguration", offset: start, reason: error)
        }
        guard self.members == members else {
            throw .notCanonical(field: "CellConfiguration.members", offset: start, reason: "members are not in ascending order")
        }
    }
}

extension ConfigurationError: WireCodable {
    /// Appends the `ConfigurationErrorTag` and the node or count.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .duplicateMember(let node):
            writer.writeTag(ConfigurationErrorTag.duplicateMember)
            writer.write(node)
        case .badMemberCount(let count):
            writer.writeTag(ConfigurationErrorTag.badMemberCount)
            writer.writeInt(count)
        case .notAMember(let node):
            writer.writeTag(ConfigurationErrorTag.notAMember)
            writer.write(node)
        case .alreadyAMember(let node):
            writer.writeTag(ConfigurationErrorTag.alreadyAMember)
            writer.write(node)
        case .badStartSlot(let slot):
            writer.writeTag(ConfigurationErrorTag.badStartSlot)
            writer.writeVarint(slot)
        }
    }

    /// Reads the tag and the node or count.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(ConfigurationErrorTag.self, "ConfigurationError") {
        case .duplicateMember: self = .duplicateMember(try NodeID(from: &reader))
        case .badMemberCount: self = .badMemberCount(try reader.readInt("ConfigurationError.badMemberCount"))
        case .notAMember: self = .notAMember(try NodeID(from: &reader))
        case .alreadyAMember: self = .alreadyAMember(try NodeID(from: &reader))
        case .badStartSlot: self = .badStartSlot(try reader.readVarint("ConfigurationError.badStartSlot"))
        }
    }
}
