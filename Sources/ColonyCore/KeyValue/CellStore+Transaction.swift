extension CellStore {
    /// Applies a transaction: checks every condition against the state before the
    /// transaction, then runs the chosen steps in order on a scratch copy, and keeps the
    /// copy only if every step succeeded. All writes of one transaction share one revision.
    mutating func apply(_ transaction: Transaction, limits: CellLimits) -> Result<OperationResult, OperationError> {
        guard transaction.stepCount <= limits.transactionStepsMax else {
            return .failure(.transactionTooLarge(steps: transaction.stepCount, max: limits.transactionStepsMax))
        }
        let succeeded = transaction.conditions.allSatisfy(holds)
        let steps = succeeded ? transaction.success : transaction.failure
        let next = revision + 1
        var scratch = self
        var changed = false
        var results: [StepResult] = []
        results.reserveCapacity(steps.count)
        for (index, step) in steps.enumerated() {
            switch scratch.run(step, at: next, limits: limits) {
            case .success(let (result, didChange)):
                results.append(result)
                changed = changed || didChange
            case .failure(let failure):
                return .failure(.transactionStepFailed(index: index, reason: failure))
            }
        }
        if changed {
            scratch.revision = next
        }
        self = scratch
        return .success(.transaction(succeeded: succeeded, results: results))
    }

    /// Whether a transaction condition holds in the current state.
    func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .exists(let key, let exists):
            return (get(key) != nil) == exists
        case .versionEquals(let key, let version):
            return Self.matches(get(key), .version(version))
        case .valueEquals(let key, let value):
            return Self.matches(get(key), .value(value))
        }
    }

    private mutating func run(
        _ step: TransactionStep, at version: Revision, limits: CellLimits
    ) -> Result<(StepResult, changed: Bool), StepFailure> {
        switch step {
        case .get(let key):
            if let failure = Self.validate(key, limits: limits) { return .failure(failure) }
            return .success((.value(get(key)), false))
        case .put(let key, let value):
            return write(key, value, at: version, limits: limits).map { (.written(version: version), true) }
        case .delete(let key):
            if let failure = Self.validate(key, limits: limits) { return .failure(failure) }
            let existed = remove(key)
            return .success((.deleted(existed: existed), existed))
        case .increment(let key, let delta):
            return add(delta, to: key, at: version, limits: limits).map { (.incremented(value: $0, version: version), true) }
        }
    }
}

/// The text form of the integers that `increment` reads and writes: ASCII decimal,
/// an optional leading minus, no plus sign, no spaces.
enum DecimalInteger {
    /// Parses the bytes as a decimal 64-bit integer, or nil if they are anything else.
    static func parse(_ bytes: Bytes) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var negative = false
        var digits = bytes[...]
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            if overflowMultiply || overflowAdd { return nil }
            value = next
        }
        return value
    }

    /// Formats an integer the way `parse` reads it.
    static func format(_ value: Int64) -> Bytes {
        Array(String(value).utf8)
    }
}
