/// For each (key, value), how many unplaced ok operations still have to observe it and how
/// many unplaced operations could still write it: the search's way to see early that a
/// configuration is dead.
///
/// Once a key's value changes from v, an operation that must still read v (or expect it in
/// a cas) can succeed only if some operation not yet placed writes v again. If none can,
/// every extension of the configuration fails, however long the search would take to find
/// that out. This needs no promise about unique values; with unique values it fires as soon
/// as a write overwrites a value that a pending read still has to see.
struct PendingObservations {
    /// The most (key, value) slots tracked; beyond it the search runs without this help.
    static let slotsMax = 1 << 22

    private let valueStride: Int
    private var observers: [Int32]
    private var writers: [Int32]
    /// Per operation, the slots it must observe (ok operations only) and may write.
    private let observedSlots: [[Int]]
    private let writtenSlots: [[Int]]

    /// Counts every operation of the problem as unplaced; nil when there are too many slots.
    init?(_ problem: SearchProblem) {
        let largestValue = problem.operations.lazy.flatMap(\.steps).map { Int($0.value) }.max() ?? 0
        valueStride = largestValue + 1
        let slotCount = problem.keyCount * valueStride
        guard slotCount <= Self.slotsMax else { return nil }
        observers = Array(repeating: 0, count: slotCount)
        writers = Array(repeating: 0, count: slotCount)
        let stride = valueStride
        observedSlots = problem.operations.map { operation in
            guard operation.isRequired else { return [] }
            return operation.steps.filter { !$0.isWrite }.map { $0.key * stride + Int($0.value) }
        }
        writtenSlots = problem.operations.map { operation in
            operation.steps.filter(\.isWrite).map { $0.key * stride + Int($0.value) }
        }
        for operation in problem.operations.indices {
            restore(operation)
        }
    }

    /// Counts the operation as placed.
    mutating func remove(_ operation: Int) {
        for slot in observedSlots[operation] { observers[slot] -= 1 }
        for slot in writtenSlots[operation] { writers[slot] -= 1 }
    }

    /// Counts the operation as unplaced again.
    mutating func restore(_ operation: Int) {
        for slot in observedSlots[operation] { observers[slot] += 1 }
        for slot in writtenSlots[operation] { writers[slot] += 1 }
    }

    /// Whether `value` under `key`, once gone, is still owed to a pending observer that no
    /// pending writer can satisfy.
    func isStranded(key: Int, value: Int32) -> Bool {
        let slot = key * valueStride + Int(value)
        return observers[slot] > 0 && writers[slot] == 0
    }

    /// An ok operation that observes a value which is not the state now and which no
    /// operation writes: it can never be placed.
    func impossibleObserver(in problem: SearchProblem, now current: (Int) -> Int32) -> Int? {
        problem.operations.indices.first { operation in
            problem.operations[operation].isRequired
                && problem.operations[operation].steps.contains { step in
                    !step.isWrite && step.value != current(step.key) && isStranded(key: step.key, value: step.value)
                }
        }
    }
}
