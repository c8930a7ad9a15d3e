extension CellOperation {
    /// The most bytes one write may carry (`approximateBytes`): the largest cell's size. A
    /// write larger than any cell cannot be needed, and one much larger would not fit the
    /// peer frame that carries its slot to the followers (16 MiB by default), which would drop
    /// it, leaving the slot unchosen and the cell stuck behind it.
    public static let bytesMax = CellLimits.ceiling.cellBytesMax

    /// The error the cell would certainly give this write whatever its state (a key or value
    /// past the limits, a transaction too long, a membership change that does not fit),
    /// so a leader can refuse it without spending a slot. Nil when it may succeed.
    public func validationError(in configuration: CellConfiguration) -> OperationError? {
        let limits = configuration.limits
        let bytes = approximateBytes
        guard bytes <= Self.bytesMax else { return .operationTooLarge(bytes: bytes, max: Self.bytesMax) }
        switch self {
        case .get, .list, .deleteCell:
            return nil
        case .delete(let key), .increment(let key, _):
            return CellStore.validate(key, limits: limits).map { OperationError($0, key: key) }
        case .put(let key, let value), .compareAndSet(let key, _, let value):
            return Self.validationError(key, value, limits)
        case .transaction(let transaction):
            guard transaction.stepCount <= limits.transactionStepsMax else {
                return .transactionTooLarge(steps: transaction.stepCount, max: limits.transactionStepsMax)
            }
            for (index, step) in (transaction.success + transaction.failure).enumerated() {
                var failure = CellStore.validate(step.key, limits: limits)
                if failure == nil, case .put(_, let value) = step, value.count > limits.valueBytesMax {
                    failure = .valueTooLarge(bytes: value.count, max: limits.valueBytesMax)
                }
                if let failure {
                    let stepIndex = index < transaction.success.count ? index : index - transaction.success.count
                    return .transactionStepFailed(index: stepIndex, reason: failure)
                }
            }
            return nil
        case .restore(let part):
            if let malformation = part.malformation(limits: limits) { return .restoreRefused(malformation) }
            for item in part.items {
                if let error = Self.validationError(item.key, item.value, limits) { return error }
            }
            return nil
        case .changeMembership(let change):
            do {
                _ = try configuration.applying(change, at: configuration.startSlot)
                return nil
            } catch {
                return .invalidMembershipChange(error)
            }
        }
    }

    private static func validationError(_ key: Key, _ value: Bytes, _ limits: CellLimits) -> OperationError? {
        if let failure = CellStore.validate(key, limits: limits) {
            return OperationError(failure, key: key)
        }
        if value.count > limits.valueBytesMax {
            return .valueTooLarge(key: key, bytes: value.count, max: limits.valueBytesMax)
        }
        return nil
    }
}
