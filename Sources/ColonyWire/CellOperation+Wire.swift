import ColonyCore

// The encodings of what a client asks of a cell: keys, operations, and the parts of a
// transaction. Cell limits (key length, value size, step count) are not checked here; the
// cell checks them and answers with an `OperationError`.

extension Key: WireCodable {
    /// Appends the key's UTF-8 bytes as a string.
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(string)
    }

    /// Reads a UTF-8 string of at most `keyBytesMax` bytes.
    public init(from reader: inout ByteReader) throws(WireError) {
        self.init(try reader.readString("Key", limit: .keyBytesMax))
    }
}

extension CellOperation: WireCodable {
    /// Appends the `OperationTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .get(let key):
            writer.writeTag(OperationTag.get)
            writer.write(key)
        case .list(let prefix, let limit):
            writer.writeTag(OperationTag.list)
            writer.write(prefix)
            writer.writeInt(limit)
        case .put(let key, let value):
            writer.writeTag(OperationTag.put)
            writer.write(key)
            writer.write(value)
        case .delete(let key):
            writer.writeTag(OperationTag.delete)
            writer.write(key)
        case .compareAndSet(let key, let expected, let value):
            writer.writeTag(OperationTag.compareAndSet)
            writer.write(key)
            writer.write(expected)
            writer.write(value)
        case .increment(let key, let delta):
            writer.writeTag(OperationTag.increment)
            writer.write(key)
            writer.writeSignedVarint(delta)
        case .transaction(let transaction):
            writer.writeTag(OperationTag.transaction)
            writer.write(transaction)
        case .changeMembership(let change):
            writer.writeTag(OperationTag.changeMembership)
            writer.write(change)
        case .deleteCell:
            writer.writeTag(OperationTag.deleteCell)
        case .restore(let part):
            writer.writeTag(OperationTag.restore)
            writer.write(part)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(OperationTag.self, "CellOperation") {
        case .get:
            self = .get(try Key(from: &reader))
        case .list:
            let prefix = try Key(from: &reader)
            self = .list(prefix: prefix, limit: try reader.readInt("CellOperation.list.limit"))
        case .put:
            let key = try Key(from: &reader)
            self = .put(key, try Bytes(from: &reader))
        case .delete:
            self = .delete(try Key(from: &reader))
        case .compareAndSet:
            let key = try Key(from: &reader)
            let expected = try Expectation(from: &reader)
            self = .compareAndSet(key, expected: expected, value: try Bytes(from: &reader))
        case .increment:
            let key = try Key(from: &reader)
            self = .increment(key, by: try reader.readSignedVarint("CellOperation.increment.delta"))
        case .transaction:
            self = .transaction(try Transaction(from: &reader))
        case .changeMembership:
            self = .changeMembership(try MembershipChange(from: &reader))
        case .deleteCell:
            self = .deleteCell
        case .restore:
            self = .restore(try RestoredKeys(from: &reader))
        }
    }
}

extension RestoredKeys: WireCodable {
    /// Appends the revision, whether the part is the first, and the keys as a list.
    public func encode(into writer: inout ByteWriter) {
        writer.writeVarint(revision)
        writer.writeBool(isFirst)
        writer.writeList(items)
    }

    /// Reads the revision (a counter), the first-part flag and the keys. Their order and
    /// versions are the cell's to check (`RestoreRefusal`).
    public init(from reader: inout ByteReader) throws(WireError) {
        let revision = try reader.readCounter("RestoredKeys.revision")
        let isFirst = try reader.readBool("RestoredKeys.isFirst")
        self.init(revision: revision, items: try reader.readList("RestoredKeys.items"), isFirst: isFirst)
    }
}

extension Expectation: WireCodable {
    /// Appends the `ExpectationTag` and the bytes or version.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .absent:
            writer.writeTag(ExpectationTag.absent)
        case .value(let bytes):
            writer.writeTag(ExpectationTag.value)
            writer.write(bytes)
        case .version(let version):
            writer.writeTag(ExpectationTag.version)
            writer.writeVarint(version)
        }
    }

    /// Reads the tag and the bytes or version.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(ExpectationTag.self, "Expectation") {
        case .absent: self = .absent
        case .value: self = .value(try Bytes(from: &reader))
        case .version: self = .version(try reader.readVarint("Expectation.version"))
        }
    }
}

extension Condition: WireCodable {
    /// Appends the `ConditionTag`, the key and what it is compared with.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .exists(let key, let exists):
            writer.writeTag(ConditionTag.exists)
            writer.write(key)
            writer.writeBool(exists)
        case .versionEquals(let key, let version):
            writer.writeTag(ConditionTag.versionEquals)
            writer.write(key)
            writer.writeVarint(version)
        case .valueEquals(let key, let value):
            writer.writeTag(ConditionTag.valueEquals)
            writer.write(key)
            writer.write(value)
        }
    }

    /// Reads the tag, the key and what it is compared with.
    public init(from reader: inout ByteReader) throws(WireError) {
        let tag = try reader.readTag(ConditionTag.self, "Condition")
        let key = try Key(from: &reader)
        switch tag {
        case .exists: self = .exists(key, try reader.readBool("Condition.exists"))
        case .versionEquals: self = .versionEquals(key, try reader.readVarint("Condition.versionEquals"))
        case .valueEquals: self = .valueEquals(key, try Bytes(from: &reader))
        }
    }
}

extension TransactionStep: WireCodable {
    /// Appends the `TransactionStepTag`, the key and the value or delta.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .get(let key):
            writer.writeTag(TransactionStepTag.get)
            writer.write(key)
        case .put(let key, let value):
            writer.writeTag(TransactionStepTag.put)
            writer.write(key)
            writer.write(value)
        case .delete(let key):
            writer.writeTag(TransactionStepTag.delete)
            writer.write(key)
        case .increment(let key, let delta):
            writer.writeTag(TransactionStepTag.increment)
            writer.write(key)
            writer.writeSignedVarint(delta)
        }
    }

    /// Reads the tag, the key and the value or delta.
    public init(from reader: inout ByteReader) throws(WireError) {
        let tag = try reader.readTag(TransactionStepTag.self, "TransactionStep")
        let key = try Key(from: &reader)
        switch tag {
        case .get: self = .get(key)
        case .put: self = .put(key, try Bytes(from: &reader))
        case .delete: self = .delete(key)
        case .increment: self = .increment(key, by: try reader.readSignedVarint("TransactionStep.increment.delta"))
        }
    }
}

extension Transaction: WireCodable {
    /// Appends the conditions, the success steps and the failure steps, each as a list.
    public func encode(into writer: inout ByteWriter) {
        writer.writeList(conditions)
        writer.writeList(success)
        writer.writeList(failure)
    }

    /// Reads the three lists.
    public init(from reader: inout ByteReader) throws(WireError) {
        let conditions: [Condition] = try reader.readList("Transaction.conditions")
        let success: [TransactionStep] = try reader.readList("Transaction.success")
        let failure: [TransactionStep] = try reader.readList("Transaction.failure")
        self.init(conditions: conditions, success: success, failure: failure)
    }
}
