import ColonyCore

/// Which operations can leave a history without changing whether it is linearizable.
///
/// A read never changes state, so removing it cannot make a linearizable history
/// non-linearizable. A write whose value no remaining operation observes can go too: in any
/// linearization, the operation after it on its key can neither read its value nor expect
/// it in a cas, so it is a blind write or delete, which leaves the same state with or
/// without the removed write. The same holds for a delete when no remaining operation
/// observes "absent" (HISTORY.md's promise that every write writes a value no other write
/// writes is what makes the rule remove much in practice). An indeterminate operation may
/// also never take effect, so removing a removable one keeps the verdict both ways.
enum OperationPruning {
    /// The values the operation may write; nil stands for a delete.
    static func writtenValues(of operation: RecordedOperation) -> [String?] {
        switch (operation.invoke.function, operation.value) {
        case (.write, .string(let value)): return [value]
        case (.cas, .pair(_, let new)): return [new]
        case (.delete, _): return [nil]
        case (.txn, .transaction(let steps)):
            return steps.compactMap { step in
                switch step.kind {
                case .write: return .some(step.value)
                case .read: return nil
                }
            }
        case (.read, _), (.write, _), (.cas, _), (.txn, _): return []
        }
    }

    /// The values the operation saw, nil standing for absent: what an ok read or transaction
    /// read, and what a cas expected.
    static func observedValues(of operation: RecordedOperation) -> [String?] {
        switch (operation.invoke.function, operation.value) {
        case (.read, let value): return operation.outcome == .ok ? [value.string] : []
        case (.cas, .pair(let expected, _)): return [expected]
        case (.txn, .transaction(let steps)):
            guard operation.outcome == .ok else { return [] }
            return steps.compactMap { step in
                switch step.kind {
                case .read: return .some(step.value)
                case .write: return nil
                }
            }
        case (.write, _), (.cas, _), (.delete, _), (.txn, _): return []
        }
    }

    /// Whether the operation may be removed, given the values the remaining operations observe.
    static func isRemovable(_ operation: RecordedOperation, observed: Set<String?>) -> Bool {
        writtenValues(of: operation).allSatisfy { !observed.contains($0) }
    }

    /// The values observed by any of the operations.
    static func observed(by operations: [RecordedOperation]) -> Set<String?> {
        var observed: Set<String?> = []
        for operation in operations {
            observed.formUnion(observedValues(of: operation))
        }
        return observed
    }

    /// Removes every indeterminate operation that may be removed, repeating until none is
    /// left, since removing one may leave another's value unobserved.
    static func prune(_ operations: [RecordedOperation]) -> [RecordedOperation] {
        var remaining = operations
        while true {
            let observed = observed(by: remaining)
            let kept = remaining.filter { operation in
                operation.outcome == .ok || !isRemovable(operation, observed: observed)
            }
            guard kept.count < remaining.count else { return kept }
            remaining = kept
        }
    }
}
