import ColonyCheck
import ColonyCore
import Testing

@Suite("Lost acknowledged writes, judged by the final reads")
struct LostWriteCheckTests {
    @Test("a final read of the last acknowledged write loses nothing")
    func lastWriteSeen() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.write(2, "k1", "b")
        history.read(3, "k1", "b")
        let report = LostWriteCheck.check(history.events)
        #expect(report.keysChecked == 1 && report.keysUnread.isEmpty && report.lost.isEmpty)
    }

    @Test("a final read of an older value loses every write acknowledged after it")
    func olderValueSeen() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.write(2, "k1", "b")
        history.invokeCompareAndSet(3, "k1", "b", "c")
        history.ok(3)
        history.read(4, "k1", "a")
        let report = LostWriteCheck.check(history.events)
        #expect(report.lost.map(\.written) == ["b", "c"])
        #expect(report.lost.first?.description == "cell vol-7 key k1: acknowledged write of \"b\" lost; the final read found \"a\"")
    }

    @Test("writes concurrent with the value seen, or of unknown outcome, are not lost")
    func concurrentAndUnknown() {
        var history = HistoryScript()
        history.invokeWrite(1, "k1", "a")
        history.invokeWrite(2, "k1", "b")
        history.ok(2)
        history.ok(1)
        history.invokeWrite(3, "k1", "c")
        history.info(3)
        history.read(4, "k1", "a")
        #expect(LostWriteCheck.check(history.events).lost.isEmpty)
    }

    @Test("an absent key loses the acknowledged writes no delete could follow")
    func absentKey() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.delete(2, "k1")
        history.write(3, "k2", "x")
        history.read(4, "k1", nil)
        history.read(4, "k2", nil)
        let report = LostWriteCheck.check(history.events)
        #expect(report.lost.map(\.key) == [CellKey(cell: "vol-7", key: "k2")])
        #expect(report.lost.map(\.written) == ["x"] && report.lost.first?.finalValue == nil)
    }

    @Test("a key whose last read failed, or came before another operation ended, is unread")
    func unreadKeys() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeRead(2, "k1")
        history.fail(2)
        history.invokeRead(3, "k2")
        history.invokeWrite(4, "k2", "b")
        history.okRead(3, nil)
        history.ok(4)
        let report = LostWriteCheck.check(history.events)
        #expect(report.keysUnread == [CellKey(cell: "vol-7", key: "k1"), CellKey(cell: "vol-7", key: "k2")])
        #expect(report.lost.isEmpty)
    }

    @Test("cells with transactions are left to the linearizability checker")
    func transactionsSkipped() {
        var history = HistoryScript()
        history.invokeTransaction(1, [writeStep("k1", "a")])
        history.ok(1)
        history.read(2, "k1", nil)
        let report = LostWriteCheck.check(history.events)
        #expect(report.lost.isEmpty && report.keysChecked == 0)
    }
}
