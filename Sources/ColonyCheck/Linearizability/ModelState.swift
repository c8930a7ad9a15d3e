/// The state of the sequential object a partition is checked against.
///
/// States are small value types so that the search can remember, for each set of
/// linearized operations, which states it has already explored from (Lowe's memoization).
protocol ModelState: Hashable, Sendable {
    /// Every key absent.
    init(keyCount: Int)
    /// The state after the steps, or nil if a read among them does not match.
    func applying(_ steps: [MicroStep]) -> Self?
    /// The value number under the key.
    func value(at key: Int) -> Int32
}

/// One key's value: the model of a register partition.
struct RegisterState: ModelState {
    /// The value's number, `MicroStep.absent` when the key does not exist.
    var value: Int32

    init(keyCount: Int) {
        value = MicroStep.absent
    }

    func value(at key: Int) -> Int32 {
        value
    }

    func applying(_ steps: [MicroStep]) -> RegisterState? {
        var next = self
        for step in steps {
            if step.isWrite {
                next.value = step.value
            } else if step.value != next.value {
                return nil
            }
        }
        return next
    }
}

/// Every key's value: the model of a cell checked whole, because a transaction spans keys.
/// A transaction's reads see its own earlier writes.
struct MapState: ModelState {
    /// Value numbers indexed by key number.
    var values: [Int32]

    init(keyCount: Int) {
        values = Array(repeating: MicroStep.absent, count: keyCount)
    }

    func value(at key: Int) -> Int32 {
        values[key]
    }

    func applying(_ steps: [MicroStep]) -> MapState? {
        var next = self
        for step in steps {
            if step.isWrite {
                next.values[step.key] = step.value
            } else if step.value != next.values[step.key] {
                return nil
            }
        }
        return next
    }
}
