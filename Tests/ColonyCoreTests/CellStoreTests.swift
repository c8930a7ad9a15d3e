import ColonyCore
import Testing

@Suite("the key-value state machine of a cell")
struct CellStoreTests {
    let limits = CellLimits(keyBytesMax: 8, valueBytesMax: 16, keysMax: 3, cellBytesMax: 40, transactionStepsMax: 4)

    func bytes(_ text: String) -> Bytes { Array(text.utf8) }

    @Test("every change gets the next revision, and a key's version is the revision that wrote it")
    func versionsGrow() {
        var store = CellStore()
        #expect(store.apply(.put("a", bytes("1")), limits: limits) == .success(.written(version: 1)))
        #expect(store.apply(.put("b", bytes("2")), limits: limits) == .success(.written(version: 2)))
        #expect(store.apply(.put("a", bytes("3")), limits: limits) == .success(.written(version: 3)))
        #expect(store.get("a") == KeyValue(key: "a", value: bytes("3"), version: 3))
        #expect(store.apply(.delete("b"), limits: limits) == .success(.deleted(existed: true)))
        #expect(store.revision == 4)
        #expect(store.apply(.delete("b"), limits: limits) == .success(.deleted(existed: false)))
        #expect(store.revision == 4, "deleting an absent key changes nothing")
    }

    @Test("compare-and-set checks value, version or absence, and reports what it found")
    func compareAndSet() {
        var store = CellStore()
        #expect(store.apply(.compareAndSet("a", expected: .absent, value: bytes("x")), limits: limits) == .success(.written(version: 1)))
        #expect(
            store.apply(.compareAndSet("a", expected: .absent, value: bytes("y")), limits: limits)
                == .failure(.conditionFailed(current: KeyValue(key: "a", value: bytes("x"), version: 1))))
        #expect(store.apply(.compareAndSet("a", expected: .value(bytes("x")), value: bytes("y")), limits: limits) == .success(.written(version: 2)))
        #expect(store.apply(.compareAndSet("a", expected: .version(1), value: bytes("z")), limits: limits).isFailure)
        #expect(store.apply(.compareAndSet("a", expected: .version(2), value: bytes("z")), limits: limits) == .success(.written(version: 3)))
        #expect(store.get("a")?.value == bytes("z"))
    }

    @Test("increment counts in decimal text, starts absent keys at zero, and refuses overflow and non-numbers")
    func increment() {
        var store = CellStore()
        #expect(store.apply(.increment("n", by: 5), limits: limits) == .success(.incremented(value: 5, version: 1)))
        #expect(store.apply(.increment("n", by: -7), limits: limits) == .success(.incremented(value: -2, version: 2)))
        #expect(store.get("n")?.value == bytes("-2"))
        _ = store.apply(.put("n", bytes("9223372036854775807")), limits: CellLimits(valueBytesMax: 32))
        #expect(store.apply(.increment("n", by: 1), limits: limits) == .failure(.integerOverflow(key: "n")))
        _ = store.apply(.put("t", bytes("12a")), limits: limits)
        #expect(store.apply(.increment("t", by: 1), limits: limits) == .failure(.notAnInteger(key: "t")))
        #expect(store.get("t")?.value == bytes("12a"), "a refused increment leaves the value alone")
    }

    @Test("limits on keys, values, key count and cell size give clear errors and change nothing")
    func limitsAreEnforced() {
        var store = CellStore()
        #expect(store.apply(.put("", bytes("v")), limits: limits) == .failure(.emptyKey))
        #expect(store.apply(.put("123456789", bytes("v")), limits: limits) == .failure(.keyTooLong(bytes: 9, max: 8)))
        #expect(
            store.apply(.put("a", Bytes(repeating: 1, count: 17)), limits: limits)
                == .failure(.valueTooLarge(key: "a", bytes: 17, max: 16)))
        for key in ["a", "b", "c"] {
            #expect(store.apply(.put(Key(key), bytes("v")), limits: limits).isSuccess)
        }
        #expect(store.apply(.put("d", bytes("v")), limits: limits) == .failure(.tooManyKeys(max: 3)))
        #expect(store.apply(.put("a", Bytes(repeating: 1, count: 16)), limits: limits).isSuccess)
        #expect(store.apply(.put("b", Bytes(repeating: 1, count: 16)), limits: limits).isSuccess)
        #expect(store.byteCount == 36)
        #expect(store.apply(.put("c", Bytes(repeating: 1, count: 16)), limits: limits) == .failure(.cellTooLarge(bytes: 51, max: 40)))
        #expect(store.byteCount == 36)
        #expect(store.count == 3)
        #expect("\(OperationError.tooManyKeys(max: 3))".contains("limit of 3 keys"))
    }

    @Test("keys are ordered by their bytes and listed by prefix")
    func listByPrefix() {
        var store = CellStore()
        let wide = CellLimits()
        for key in ["b/2", "a", "b/1", "b0", "é", "b/10"] {
            _ = store.apply(.put(Key(key), bytes(key)), limits: wide)
        }
        let (items, truncated) = store.list(prefix: "b/", limit: 10)
        #expect(items.map(\.key.string) == ["b/1", "b/10", "b/2"])
        #expect(!truncated)
        #expect(store.list(prefix: "b/", limit: 2).truncated)
        #expect(store.all.map(\.key.string) == ["a", "b/1", "b/10", "b/2", "b0", "é"])
        #expect(store.read(.list(prefix: "", limit: 0), limits: wide) == .failure(.badListLimit(0, max: wide.keysMax)))
        let narrow = CellLimits(keysMax: 6)
        #expect(store.read(.list(prefix: "", limit: 1_000), limits: narrow) == .success(.list(store.all, truncated: false, revision: 6)),
                "a limit past the cell's key limit lists every key")
    }

    @Test("a transaction applies its success steps when every condition holds, atomically, at one revision")
    func transactionSuccess() {
        var store = CellStore()
        _ = store.apply(.put("a", bytes("1")), limits: limits)
        let transaction = Transaction(
            conditions: [.valueEquals("a", bytes("1")), .exists("b", false)],
            success: [.get("a"), .put("b", bytes("2")), .increment("a", by: 1)],
            failure: [.get("b")])
        var roomy = limits
        roomy.transactionStepsMax = 6
        let result = store.apply(.transaction(transaction), limits: roomy)
        #expect(result == .success(.transaction(succeeded: true, results: [
            .value(KeyValue(key: "a", value: bytes("1"), version: 1)),
            .written(version: 2),
            .incremented(value: 2, version: 2),
        ])))
        #expect(store.revision == 2)
    }

    @Test("a transaction whose conditions fail runs its failure steps")
    func transactionFailureBranch() {
        var store = CellStore()
        let transaction = Transaction(conditions: [.versionEquals("a", 7)], success: [.put("a", bytes("x"))], failure: [.get("a")])
        #expect(store.apply(.transaction(transaction), limits: limits) == .success(.transaction(succeeded: false, results: [.value(nil)])))
        #expect(store.revision == 0, "a read-only branch changes nothing")
    }

    @Test("a transaction with a failing step applies nothing at all")
    func transactionIsAtomic() {
        var store = CellStore()
        _ = store.apply(.put("t", bytes("x")), limits: limits)
        let transaction = Transaction(success: [.put("a", bytes("1")), .increment("t", by: 1)])
        #expect(
            store.apply(.transaction(transaction), limits: limits)
                == .failure(.transactionStepFailed(index: 1, reason: .notAnInteger)))
        #expect(store.get("a") == nil)
        #expect(store.revision == 1)
        let tooLong = Transaction(success: Array(repeating: .get("a"), count: 5))
        #expect(store.apply(.transaction(tooLong), limits: limits) == .failure(.transactionTooLarge(steps: 5, max: 4)))
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    var isFailure: Bool { !isSuccess }
}
