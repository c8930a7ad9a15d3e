import ColonyCore

extension RandomValues {
    mutating func expectation() -> Expectation {
        switch below(3) {
        case 0: return .absent
        case 1: return .value(bytes())
        default: return .version(number())
        }
    }

    mutating func condition() -> Condition {
        switch below(3) {
        case 0: return .exists(key(), bool())
        case 1: return .versionEquals(key(), number())
        default: return .valueEquals(key(), bytes())
        }
    }

    mutating func transactionStep() -> TransactionStep {
        switch below(4) {
        case 0: return .get(key())
        case 1: return .put(key(), bytes())
        case 2: return .delete(key())
        default: return .increment(key(), by: signed())
        }
    }

    mutating func transaction() -> Transaction {
        Transaction(
            conditions: list(upTo: 3) { $0.condition() },
            success: list(upTo: 3) { $0.transactionStep() },
            failure: list(upTo: 2) { $0.transactionStep() }
        )
    }

    mutating func operation() -> CellOperation {
        switch below(10) {
        case 0: return .get(key())
        case 1: return .list(prefix: key(), limit: int())
        case 2: return .put(key(), bytes())
        case 3: return .delete(key())
        case 4: return .compareAndSet(key(), expected: expectation(), value: bytes())
        case 5: return .increment(key(), by: signed())
        case 6: return .transaction(transaction())
        case 7: return .deleteCell
        case 8: return .restore(RestoredKeys(revision: counter(), items: list(upTo: 3) { $0.keyValue() }, isFirst: bool()))
        default: return .changeMembership(membershipChange())
        }
    }

    mutating func keyValue() -> KeyValue {
        KeyValue(key: key(), value: bytes(), version: number())
    }

    mutating func optionalKeyValue() -> KeyValue? {
        bool() ? keyValue() : nil
    }

    mutating func stepResult() -> StepResult {
        switch below(4) {
        case 0: return .value(optionalKeyValue())
        case 1: return .written(version: number())
        case 2: return .deleted(existed: bool())
        default: return .incremented(value: signed(), version: number())
        }
    }

    mutating func operationResult() -> OperationResult {
        switch below(8) {
        case 0: return .value(optionalKeyValue())
        case 1: return .list(list(upTo: 3) { $0.keyValue() }, truncated: bool(), revision: number())
        case 2: return .written(version: number())
        case 3: return .deleted(existed: bool())
        case 4: return .incremented(value: signed(), version: number())
        case 5: return .transaction(succeeded: bool(), results: list(upTo: 3) { $0.stepResult() })
        case 6: return .cellDeleted
        default: return .membershipChanged(configuration())
        }
    }

    mutating func configurationError() -> ConfigurationError {
        switch below(4) {
        case 0: return .duplicateMember(nodeID())
        case 1: return .badMemberCount(int())
        case 2: return .notAMember(nodeID())
        default: return .alreadyAMember(nodeID())
        }
    }

    mutating func stepFailure() -> StepFailure {
        switch below(7) {
        case 0: return .emptyKey
        case 1: return .keyTooLong(bytes: int(), max: int())
        case 2: return .valueTooLarge(bytes: int(), max: int())
        case 3: return .tooManyKeys(max: int())
        case 4: return .cellTooLarge(bytes: int(), max: int())
        case 5: return .notAnInteger
        default: return .integerOverflow
        }
    }

    mutating func operationError() -> OperationError {
        switch below(15) {
        case 0: return .emptyKey
        case 1: return .keyTooLong(bytes: int(), max: int())
        case 2: return .valueTooLarge(key: key(), bytes: int(), max: int())
        case 3: return .tooManyKeys(max: int())
        case 4: return .cellTooLarge(bytes: int(), max: int())
        case 5: return .conditionFailed(current: optionalKeyValue())
        case 6: return .notAnInteger(key: key())
        case 7: return .integerOverflow(key: key())
        case 8: return .transactionTooLarge(steps: int(), max: int())
        case 9: return .transactionStepFailed(index: int(), reason: stepFailure())
        case 10: return .badListLimit(int(), max: int())
        case 11: return .cellDeleted
        case 12: return .restoreRefused(restoreRefusal())
        case 13: return .operationTooLarge(bytes: int(), max: int())
        default: return .invalidMembershipChange(configurationError())
        }
    }

    mutating func restoreRefusal() -> RestoreRefusal {
        switch below(5) {
        case 0: return .cellWritten(found: counter(), restoring: counter(), isFirst: bool())
        case 1: return .revisionZero
        case 2: return .tooManyKeys(int(), max: int())
        case 3: return .versionOutOfRange(index: int())
        default: return .keysNotAscending(index: int())
        }
    }

    mutating func result() -> Result<OperationResult, OperationError> {
        bool() ? .success(operationResult()) : .failure(operationError())
    }
}
