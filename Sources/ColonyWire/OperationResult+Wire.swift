import ColonyCore

// The encodings of what a successful operation returns: key-value triples, operation
// results and transaction step results.

extension KeyValue: WireCodable {
    /// Appends key, value and version.
    public func encode(into writer: inout ByteWriter) {
        writer.write(key)
        writer.write(value)
        writer.writeVarint(version)
    }

    /// Reads key, value and version.
    public init(from reader: inout ByteReader) throws(WireError) {
        let key = try Key(from: &reader)
        let value = try Bytes(from: &reader)
        self.init(key: key, value: value, version: try reader.readVarint("KeyValue.version"))
    }
}

extension OperationResult: WireCodable {
    /// Appends the `OperationResultTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .value(let item):
            writer.writeTag(OperationResultTag.value)
            writer.write(item)
        case .list(let items, let truncated, let revision):
            writer.writeTag(OperationResultTag.list)
            writer.writeList(items)
            writer.writeBool(truncated)
            writer.writeVarint(revision)
        case .written(let version):
            writer.writeTag(OperationResultTag.written)
            writer.writeVarint(version)
        case .deleted(let existed):
            writer.writeTag(OperationResultTag.deleted)
            writer.writeBool(existed)
        case .incremented(let value, let version):
            writer.writeTag(OperationResultTag.incremented)
            writer.writeSignedVarint(value)
            writer.writeVarint(version)
        case .transaction(let succeeded, let results):
            writer.writeTag(OperationResultTag.transaction)
            writer.writeBool(succeeded)
            writer.writeList(results)
        case .membershipChanged(let configuration):
            writer.writeTag(OperationResultTag.membershipChanged)
            writer.write(configuration)
        case .cellDeleted:
            writer.writeTag(OperationResultTag.cellDeleted)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(OperationResultTag.self, "OperationResult") {
        case .value:
            self = .value(try KeyValue?(from: &reader))
        case .list:
            let items: [KeyValue] = try reader.readList("OperationResult.list")
            let truncated = try reader.readBool("OperationResult.list.truncated")
            self = .list(items, truncated: truncated, revision: try reader.readVarint("OperationResult.list.revision"))
        case .written:
            self = .written(version: try reader.readVarint("OperationResult.written.version"))
        case .deleted:
            self = .deleted(existed: try reader.readBool("OperationResult.deleted.existed"))
        case .incremented:
            let value = try reader.readSignedVarint("OperationResult.incremented.value")
            self = .incremented(value: value, version: try reader.readVarint("OperationResult.incremented.version"))
        case .transaction:
            let succeeded = try reader.readBool("OperationResult.transaction.succeeded")
            self = .transaction(succeeded: succeeded, results: try reader.readList("OperationResult.transaction.results"))
        case .membershipChanged:
            self = .membershipChanged(try CellConfiguration(from: &reader))
        case .cellDeleted:
            self = .cellDeleted
        }
    }
}

extension StepResult: WireCodable {
    /// Appends the `StepResultTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .value(let item):
            writer.writeTag(StepResultTag.value)
            writer.write(item)
        case .written(let version):
            writer.writeTag(StepResultTag.written)
            writer.writeVarint(version)
        case .deleted(let existed):
            writer.writeTag(StepResultTag.deleted)
            writer.writeBool(existed)
        case .incremented(let value, let version):
            writer.writeTag(StepResultTag.incremented)
            writer.writeSignedVarint(value)
            writer.writeVarint(version)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(StepResultTag.self, "StepResult") {
        case .value:
            self = .value(try KeyValue?(from: &reader))
        case .written:
            self = .written(version: try reader.readVarint("StepResult.written.version"))
        case .deleted:
            self = .deleted(existed: try reader.readBool("StepResult.deleted.existed"))
        case .incremented:
            let value = try reader.readSignedVarint("StepResult.incremented.value")
            self = .incremented(value: value, version: try reader.readVarint("StepResult.incremented.version"))
        }
    }
}
