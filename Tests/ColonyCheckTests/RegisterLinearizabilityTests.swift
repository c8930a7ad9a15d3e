import ColonyCheck
import ColonyCore
import Testing

@Suite("Linearizability of single-key operations")
struct RegisterLinearizabilityTests {
    @Test("a read after a completed write sees that write")
    func readAfterWrite() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.read(2, "k1", "a")
        #expect(history.check().isLinearizable)
    }

    @Test("a stale read after a write completed is not linearizable")
    func staleRead() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.read(2, "k1", nil)
        let report = history.check()
        #expect(!report.isLinearizable)
        #expect(report.violations.count == 1)
    }

    @Test("a lost write, where a later read returns the older value, is not linearizable")
    func lostWrite() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.write(2, "k1", "b")
        history.read(3, "k1", "a")
        #expect(!history.check().isLinearizable)
    }

    @Test("a cas that returned fail yet took effect is not linearizable")
    func failedCompareAndSetTookEffect() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeCompareAndSet(2, "k1", "a", "b")
        history.fail(2)
        history.read(3, "k1", "b")
        #expect(!history.check().isLinearizable)
    }

    @Test("a cas that returned fail and did not take effect is linearizable")
    func failedCompareAndSetWithoutEffect() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeCompareAndSet(2, "k1", "a", "b")
        history.fail(2)
        history.read(3, "k1", "a")
        #expect(history.check().isLinearizable)
    }

    @Test("a read concurrent with a write may see the old or the new value", arguments: [nil, "a"] as [String?])
    func concurrentReadAndWrite(seen: String?) {
        var history = HistoryScript()
        history.invokeWrite(1, "k1", "a")
        history.invokeRead(2, "k1")
        history.okRead(2, seen)
        history.ok(1)
        #expect(history.check().isLinearizable)
    }

    @Test("once a read has seen a concurrent write, a later read cannot see the old value")
    func readsRespectRealTime() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeWrite(1, "k1", "b")
        history.read(2, "k1", "b")
        history.read(3, "k1", "a")
        history.ok(1)
        #expect(!history.check().isLinearizable)
    }

    @Test("a write that ended in info and is later observed is linearizable")
    func indeterminateWriteObserved() {
        var history = HistoryScript()
        history.invokeWrite(1, "k1", "a")
        history.info(1)
        history.read(2, "k1", nil)
        history.read(2, "k1", "a")
        #expect(history.check().isLinearizable)
    }

    @Test("a write that ended in info and is never observed is linearizable")
    func indeterminateWriteNeverObserved() {
        var history = HistoryScript()
        history.invokeWrite(1, "k1", "a")
        history.info(1)
        history.read(2, "k1", nil)
        history.read(2, "k1", nil)
        #expect(history.check().isLinearizable)
    }

    @Test("a write that never completed may still take effect")
    func unfinishedWriteObserved() {
        var history = HistoryScript()
        history.invokeWrite(1, "k1", "a")
        history.read(2, "k1", "a")
        #expect(history.check().isLinearizable)
    }

    @Test("an indeterminate write cannot take effect before its invoke")
    func indeterminateWriteSeenTooEarly() {
        var history = HistoryScript()
        history.read(2, "k1", "a")
        history.invokeWrite(1, "k1", "a")
        history.info(1)
        #expect(!history.check().isLinearizable)
    }

    @Test("a read of a value nobody wrote is not linearizable")
    func readOfUnwrittenValue() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.read(2, "k1", "z")
        #expect(!history.check().isLinearizable)
    }

    @Test("a cas that succeeded although its expected value was never there is not linearizable")
    func compareAndSetOfAbsentExpectation() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeCompareAndSet(2, "k1", "q", "b")
        history.ok(2)
        #expect(!history.check().isLinearizable)
    }

    @Test("an indeterminate cas whose expected value was never there cannot explain a read")
    func indeterminateCompareAndSetCannotHappen() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeCompareAndSet(2, "k1", "q", "b")
        history.info(2)
        history.read(3, "k1", "b")
        #expect(!history.check().isLinearizable)
    }

    @Test("a cas on an absent key, a delete, and a read of absent are linearizable")
    func compareAndSetFromAbsentThenDelete() {
        var history = HistoryScript()
        history.invokeCompareAndSet(1, "k1", nil, "a")
        history.ok(1)
        history.read(2, "k1", "a")
        history.delete(1, "k1")
        history.read(2, "k1", nil)
        #expect(history.check().isLinearizable)
    }

    @Test("a read after a completed delete cannot see the deleted value")
    func readAfterDelete() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.delete(1, "k1")
        history.read(2, "k1", "a")
        #expect(!history.check().isLinearizable)
    }

    @Test("keys are independent registers")
    func keysAreIndependent() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.read(2, "k2", nil)
        history.read(2, "k2", "a")
        let report = history.check()
        #expect(report.partitionCount == 2)
        #expect(report.violations.map(\.key) == ["k2"])
    }
}
