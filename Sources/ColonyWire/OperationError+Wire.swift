import ColonyCore

// The encodings of why a cell refused an operation or a transaction step. They travel in
// replies and are kept in client sessions, so a retried request gets the same answer.

extension OperationError: WireCodable {
    /// Appends the `OperationErrorTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .emptyKey:
            writer.writeTag(OperationErrorTag.emptyKey)
        case .keyTooLong(let bytes, let max):
            writer.writeTag(OperationErrorTag.keyTooLong)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .valueTooLarge(let key, let bytes, let max):
            writer.writeTag(OperationErrorTag.valueTooLarge)
            writer.write(key)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .tooManyKeys(let max):
            writer.writeTag(OperationErrorTag.tooManyKeys)
            writer.writeInt(max)
        case .cellTooLarge(let bytes, let max):
            writer.writeTag(OperationErrorTag.cellTooLarge)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .conditionFailed(let current):
            writer.writeTag(OperationErrorTag.conditionFailed)
            writer.write(current)
        case .notAnInteger(let key):
            writer.writeTag(OperationErrorTag.notAnInteger)
            writer.write(key)
        case .integerOverflow(let key):
            writer.writeTag(OperationErrorTag.integerOverflow)
            writer.write(key)
        case .transactionTooLarge(let steps, let max):
            writer.writeTag(OperationErrorTag.transactionTooLarge)
            writer.writeInt(steps)
            writer.writeInt(max)
        case .transactionStepFailed(let index, let reason):
            writer.writeTag(OperationErrorTag.transactionStepFailed)
            writer.writeInt(index)
            writer.write(reason)
        case .badListLimit(let limit, let max):
            writer.writeTag(OperationErrorTag.badListLimit)
            writer.writeInt(limit)
            writer.writeInt(max)
        case .invalidMembershipChange(let reason):
            writer.writeTag(OperationErrorTag.invalidMembershipChange)
            writer.write(reason)
        case .cellDeleted:
            writer.writeTag(OperationErrorTag.cellDeleted)
        case .restoreRefused(let refusal):
            writer.writeTag(OperationErrorTag.restoreRefused)
            writer.write(refusal)
        case .operationTooLarge(let bytes, let max):
            writer.writeTag(OperationErrorTag.operationTooLarge)
            writer.writeInt(bytes)
            writer.writeInt(max)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(OperationErrorTag.self, "OperationError") {
        case .emptyKey:
            self = .emptyKey
        case .keyTooLong:
            let bytes = try reader.readInt("OperationError.keyTooLong.bytes")
            self = .keyTooLong(bytes: bytes, max: try reader.readInt("OperationError.keyTooLong.max"))
        case .valueTooLarge:
            let key = try Key(from: &reader)
            let bytes = try reader.readInt("OperationError.valueTooLarge.bytes")
            self = .valueTooLarge(key: key, bytes: bytes, max: try reader.readInt("OperationError.valueTooLarge.max"))
        case .tooManyKeys:
            self = .tooManyKeys(max: try reader.readInt("OperationError.tooManyKeys.max"))
        case .cellTooLarge:
            let bytes = try reader.readInt("OperationError.cellTooLarge.bytes")
            self = .cellTooLarge(bytes: bytes, max: try reader.readInt("OperationError.cellTooLarge.max"))
        case .conditionFailed:
            self = .conditionFailed(current: try KeyValue?(from: &reader))
        case .notAnInteger:
            self = .notAnInteger(key: try Key(from: &reader))
        case .integerOverflow:
            self = .integerOverflow(key: try Key(from: &reader))
        case .transactionTooLarge:
            let steps = try reader.readInt("OperationError.transactionTooLarge.steps")
            self = .transactionTooLarge(steps: steps, max: try reader.readInt("OperationError.transactionTooLarge.max"))
        case .transactionStepFailed:
            let index = try reader.readInt("OperationError.transactionStepFailed.index")
            self = .transactionStepFailed(index: index, reason: try StepFailure(from: &reader))
        case .badListLimit:
            let limit = try reader.readInt("OperationError.badListLimit.limit")
            self = .badListLimit(limit, max: try reader.readInt("OperationError.badListLimit.max"))
        case .invalidMembershipChange:
            self = .invalidMembershipChange(try ConfigurationError(from: &reader))
        case .cellDeleted:
            self = .cellDeleted
        case .restoreRefused:
            self = .restoreRefused(try RestoreRefusal(from: &reader))
        case .operationTooLarge:
            let bytes = try reader.readInt("OperationError.operationTooLarge.bytes")
            self = .operationTooLarge(bytes: bytes, max: try reader.readInt("OperationError.operationTooLarge.max"))
        }
    }
}

extension RestoreRefusal: WireCodable {
    /// Appends the `RestoreRefusalTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .cellWritten(let found, let restoring, let isFirst):
            writer.writeTag(RestoreRefusalTag.cellWritten)
            writer.writeVarint(found)
            writer.writeVarint(restoring)
            writer.writeBool(isFirst)
        case .revisionZero:
            writer.writeTag(RestoreRefusalTag.revisionZero)
        case .tooManyKeys(let count, let max):
            writer.writeTag(RestoreRefusalTag.tooManyKeys)
            writer.writeInt(count)
            writer.writeInt(max)
        case .versionOutOfRange(let index):
            writer.writeTag(RestoreRefusalTag.versionOutOfRange)
            writer.writeInt(index)
        case .keysNotAscending(let index):
            writer.writeTag(RestoreRefusalTag.keysNotAscending)
            writer.writeInt(index)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(RestoreRefusalTag.self, "RestoreRefusal") {
        case .cellWritten:
            let found = try reader.readCounter("RestoreRefusal.cellWritten.found")
            let restoring = try reader.readCounter("RestoreRefusal.cellWritten.restoring")
            self = .cellWritten(found: found, restoring: restoring, isFirst: try reader.readBool("RestoreRefusal.cellWritten.isFirst"))
        case .revisionZero:
            self = .revisionZero
        case .tooManyKeys:
            let count = try reader.readInt("RestoreRefusal.tooManyKeys.count")
            self = .tooManyKeys(count, max: try reader.readInt("RestoreRefusal.tooManyKeys.max"))
        case .versionOutOfRange:
            self = .versionOutOfRange(index: try reader.readInt("RestoreRefusal.versionOutOfRange.index"))
        case .keysNotAscending:
            self = .keysNotAscending(index: try reader.readInt("RestoreRefusal.keysNotAscending.index"))
        }
    }
}

extension StepFailure: WireCodable {
    /// Appends the `StepFailureTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .emptyKey:
            writer.writeTag(StepFailureTag.emptyKey)
        case .keyTooLong(let bytes, let max):
            writer.writeTag(StepFailureTag.keyTooLong)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .valueTooLarge(let bytes, let max):
            writer.writeTag(StepFailureTag.valueTooLarge)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .tooManyKeys(let max):
            writer.writeTag(StepFailureTag.tooManyKeys)
            writer.writeInt(max)
        case .cellTooLarge(let bytes, let max):
            writer.writeTag(StepFailureTag.cellTooLarge)
            writer.writeInt(bytes)
            writer.writeInt(max)
        case .notAnInteger:
            writer.writeTag(StepFailureTag.notAnInteger)
        case .integerOverflow:
            writer.writeTag(StepFailureTag.integerOverflow)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(StepFailureTag.self, "StepFailure") {
        case .emptyKey:
            self = .emptyKey
        case .keyTooLong:
            let bytes = try reader.readInt("StepFailure.keyTooLong.bytes")
            self = .keyTooLong(bytes: bytes, max: try reader.readInt("StepFailure.keyTooLong.max"))
        case .valueTooLarge:
            let bytes = try reader.readInt("StepFailure.valueTooLarge.bytes")
            self = .valueTooLarge(bytes: bytes, max: try reader.readInt("StepFailure.valueTooLarge.max"))
        case .tooManyKeys:
            self = .tooManyKeys(max: try reader.readInt("StepFailure.tooManyKeys.max"))
        case .cellTooLarge:
            let bytes = try reader.readInt("StepFailure.cellTooLarge.bytes")
            self = .cellTooLarge(bytes: bytes, max: try reader.readInt("StepFailure.cellTooLarge.max"))
        case .notAnInteger:
            self = .notAnInteger
        case .integerOverflow:
            self = .integerOverflow
        }
    }
}
