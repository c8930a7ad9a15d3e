import ColonyCore

// The encodings of names and numbers: nodes, cells, clients, requests, ballots and the
// membership change. Node ids and ballots are varints (they are small); a client id is
// drawn at random, so it is 8 fixed little-endian bytes.

extension NodeID: WireCodable {
    /// Appends the node number as a varint.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(rawValue))
    }

    /// Reads a node number, which must fit in 32 bits.
    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(try reader.readVarintUInt32("NodeID"))
    }
}

extension CellID: WireCodable {
    /// Appends the cell's name as a string.
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(name)
    }

    /// Reads a cell name and checks it with `CellID(validating:)`.
    public init(from reader: inout ByteReader) throws(WireError) {
        let start = reader.offset
        let name = try reader.readString("CellID", limit: .stringBytesMax)
        do {
            try self.init(validating: name)
        } catch {
            throw .invalidCellName(field: "CellID", offset: start, reason: error.description)
        }
    }
}

extension ClientID: WireCodable {
    /// Appends the client number as 8 little-endian bytes.
    public func encode(into writer: inout ByteWriter) {
        writer.writeLittleEndian(rawValue)
    }

    /// Reads 8 little-endian bytes.
    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(try reader.readLittleEndian(UInt64.self, "ClientID"))
    }
}

extension RequestID: WireCodable {
    /// Appends the client, then the sequence as a varint.
    public func encode(into writer: inout ByteWriter) {
        writer.write(client)
        writer.writeVarint(sequence)
    }

    /// Reads the client and the sequence.
    public init(from reader: inout ByteReader) throws(WireError) {
        let client = try ClientID(from: &reader)
        self.init(client: client, sequence: try reader.readVarint("RequestID.sequence"))
    }
}

extension Ballot: WireCodable {
    /// Appends epoch, round and node, each as a varint.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(epoch)
        writer.writeVarint(round)
        writer.write(node)
    }

    /// Reads epoch, round and node.
    public init(from reader: inout ByteReader) throws(WireError) {
        let epoch = try reader.readCounter("Ballot.epoch")
        let round = try reader.readCounter("Ballot.round")
        self.init(epoch: epoch, round: round, node: try NodeID(from: &reader))
    }
}

extension MembershipChange: WireCodable {
    /// Appends the node removed, then the node added.
    public func encode(into writer: inout ByteWriter) {
        writer.write(remove)
        writer.write(add)
    }

    /// Reads the node removed and the node added.
    public init(from reader: inout ByteReader) throws(WireError) {
        let remove = try NodeID(from: &reader)
        self.init(remove: remove, add: try NodeID(from: &reader))
    }
}
