import ColonyCore

/// One operation a client is about to run, with how it appears in the history.
struct PlannedOperation {
    /// The history's name for it, or nil for an operation the history leaves out (a stale read).
    var function: HistoryFunction?
    var cellIndex: Int
    var key: String?
    var operation: CellOperation
    var consistency: ReadConsistency
    /// The history value at invoke.
    var invokeValue: HistoryValue
    /// For the control plane's membership change, the epoch it was decided at, sent with
    /// every attempt; nil for the workload, whose requests carry the client's cached epoch.
    var expectedEpoch: Epoch? = nil
}

/// Chooses the clients' operations: reads, writes, compare-and-sets, deletes, stale reads
/// and, on some cells, transactions, over a few keys per cell. Every write writes a value
/// no other write of the run writes, as the history format requires.
struct Workload {
    private var random: SplitMix64
    private let cellCount: Int
    private let keysPerCell: Int
    private let transactionCellEvery: Int
    /// The latest value any client saw under each key, so compare-and-sets often succeed.
    private var lastSeen: [[String?]]
    private var nextValue: UInt64 = 0

    init(seed: UInt64, cellCount: Int, keysPerCell: Int, transactionCellEvery: Int) {
        self.random = SplitMix64(seed: seed)
        self.cellCount = cellCount
        self.keysPerCell = keysPerCell
        self.transactionCellEvery = transactionCellEvery
        self.lastSeen = Array(repeating: Array(repeating: nil, count: keysPerCell), count: cellCount)
    }

    func key(_ index: Int) -> String { "k\(index)" }

    func hasTransactions(_ cellIndex: Int) -> Bool {
        transactionCellEvery > 0 && keysPerCell >= 3 && cellIndex % transactionCellEvery == 0
    }

    /// A linearizable read of one key.
    func read(cellIndex: Int, keyIndex: Int) -> PlannedOperation {
        let key = self.key(keyIndex)
        return PlannedOperation(
            function: .read, cellIndex: cellIndex, key: key, operation: .get(Key(key)),
            consistency: .linearizable, invokeValue: .null)
    }

    mutating func plan() -> PlannedOperation {
        let cellIndex = Int(random.next() % UInt64(cellCount))
        let keyIndex = Int(random.next() % UInt64(keysPerCell))
        let key = self.key(keyIndex)
        let roll = random.next() % 100
        if hasTransactions(cellIndex), roll < 15 {
            return planTransaction(cellIndex)
        }
        switch roll {
        case 0..<35:
            return read(cellIndex: cellIndex, keyIndex: keyIndex)
        case 35..<60:
            let value = freshValue()
            return PlannedOperation(
                function: .write, cellIndex: cellIndex, key: key, operation: .put(Key(key), Array(value.utf8)),
                consistency: .linearizable, invokeValue: .string(value))
        case 60..<78:
            let expected = lastSeen[cellIndex][keyIndex]
            let value = freshValue()
            let expectation: Expectation = expected.map { .value(Array($0.utf8)) } ?? .absent
            return PlannedOperation(
                function: .cas, cellIndex: cellIndex, key: key,
                operation: .compareAndSet(Key(key), expected: expectation, value: Array(value.utf8)),
                consistency: .linearizable, invokeValue: .pair(expected, value))
        case 78..<85:
            return PlannedOperation(
                function: .delete, cellIndex: cellIndex, key: key, operation: .delete(Key(key)),
                consistency: .linearizable, invokeValue: .null)
        default:
            return PlannedOperation(
                function: nil, cellIndex: cellIndex, key: key, operation: .get(Key(key)),
                consistency: .stale, invokeValue: .null)
        }
    }

    /// A conditional transaction over three distinct keys a, b, c: if a holds what was last
    /// seen there, read a, write b and read c; otherwise just read a and c.
    private mutating func planTransaction(_ cellIndex: Int) -> PlannedOperation {
        let first = Int(random.next() % UInt64(keysPerCell))
        let second = (first + 1 + Int(random.next() % UInt64(keysPerCell - 1))) % keysPerCell
        var third = Int(random.next() % UInt64(keysPerCell))
        while third == first || third == second { third = (third + 1) % keysPerCell }
        let (a, b, c) = (Key(key(first)), Key(key(second)), Key(key(third)))
        let expected = lastSeen[cellIndex][first]
        let condition: Condition = expected.map { .valueEquals(a, Array($0.utf8)) } ?? .exists(a, false)
        let value = freshValue()
        let transaction = Transaction(
            conditions: [condition], success: [.get(a), .put(b, Array(value.utf8)), .get(c)], failure: [.get(a), .get(c)])
        let steps = [
            TransactionMicroOperation(kind: .read, key: a.string, value: nil),
            TransactionMicroOperation(kind: .write, key: b.string, value: value),
            TransactionMicroOperation(kind: .read, key: c.string, value: nil),
        ]
        return PlannedOperation(
            function: .txn, cellIndex: cellIndex, key: nil, operation: .transaction(transaction),
            consistency: .linearizable, invokeValue: .transaction(steps))
    }

    private mutating func freshValue() -> String {
        nextValue += 1
        return "v\(nextValue)"
    }

    /// How a definite result appears in the history: ok with its value, or fail.
    mutating func completion(
        of planned: PlannedOperation, result: Result<OperationResult, OperationError>
    ) -> (type: HistoryEventType, value: HistoryValue) {
        guard case .success(let success) = result else { return (.fail, planned.invokeValue) }
        switch (planned.operation, success) {
        case (.get, .value(let item)):
            let value = item.map { String(decoding: $0.value, as: UTF8.self) }
            see(planned, key: planned.key, value: value)
            return (.ok, value.map(HistoryValue.string) ?? .null)
        case (.put, .written):
            see(planned, key: planned.key, value: planned.invokeValue.string)
            return (.ok, planned.invokeValue)
        case (.compareAndSet, .written):
            if case .pair(_, let new) = planned.invokeValue { see(planned, key: planned.key, value: new) }
            return (.ok, planned.invokeValue)
        case (.delete, .deleted):
            see(planned, key: planned.key, value: nil)
            return (.ok, .null)
        case (.transaction(let transaction), .transaction(let succeeded, let results)):
            let steps = succeeded ? transaction.success : transaction.failure
            var micro: [TransactionMicroOperation] = []
            for (step, stepResult) in zip(steps, results) {
                switch (step, stepResult) {
                case (.get(let key), .value(let item)):
                    let value = item.map { String(decoding: $0.value, as: UTF8.self) }
                    micro.append(TransactionMicroOperation(kind: .read, key: key.string, value: value))
                    see(planned, key: key.string, value: value)
                case (.put(let key, let bytes), .written):
                    let value = String(decoding: bytes, as: UTF8.self)
                    micro.append(TransactionMicroOperation(kind: .write, key: key.string, value: value))
                    see(planned, key: key.string, value: value)
                default:
                    return (.info, planned.invokeValue)
                }
            }
            return (.ok, .transaction(micro))
        default:
            // A result of the wrong shape: say nothing certain about it.
            return (.info, planned.invokeValue)
        }
    }

    private mutating func see(_ planned: PlannedOperation, key: String?, value: String?) {
        guard let key, let index = Int(key.dropFirst()), index < keysPerCell else { return }
        lastSeen[planned.cellIndex][index] = value
    }
}
