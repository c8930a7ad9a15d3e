import ColonyCheck
import ColonyCore
import Testing

@Suite("Linearizability of transactions")
struct TransactionLinearizabilityTests {
    /// x and y start at 1; then process 1 writes both to 2 atomically while process 2 reads
    /// both in one transaction, seeing `seenX` and `seenY`.
    private func readDuringAtomicWrite(seenX: String, seenY: String) -> HistoryScript {
        var history = HistoryScript()
        history.invokeTransaction(1, [writeStep("x", "x1"), writeStep("y", "y1")])
        history.ok(1)
        history.invokeTransaction(1, [writeStep("x", "x2"), writeStep("y", "y2")])
        history.invokeTransaction(2, [readStep("x", nil), readStep("y", nil)])
        history.ok(2, .transaction([readStep("x", seenX), readStep("y", seenY)]))
        history.ok(1)
        return history
    }

    @Test("a transaction that sees one key before and one after another's atomic write is not linearizable")
    func readSkew() {
        let report = readDuringAtomicWrite(seenX: "x1", seenY: "y2").check()
        #expect(!report.isLinearizable)
        #expect(report.violations.first?.cell == "vol-7")
        #expect(report.violations.first?.key == nil)
    }

    @Test("a transaction that sees all of another's atomic write, or none of it, is linearizable",
          arguments: [("x1", "y1"), ("x2", "y2")])
    func atomicRead(seen: (String, String)) {
        #expect(readDuringAtomicWrite(seenX: seen.0, seenY: seen.1).check().isLinearizable)
    }

    @Test("a transaction sees its own earlier writes")
    func readYourOwnWrites() {
        var history = HistoryScript()
        history.invokeTransaction(1, [writeStep("x", "a"), readStep("x", nil)])
        history.ok(1, .transaction([writeStep("x", "a"), readStep("x", "a")]))
        history.read(2, "x", "a")
        #expect(history.check().isLinearizable)
    }

    @Test("single-key operations and transactions in one cell are checked together")
    func mixedCell() {
        var history = HistoryScript()
        history.write(1, "x", "a")
        history.invokeTransaction(2, [readStep("x", nil), writeStep("y", "b")])
        history.ok(2, .transaction([readStep("x", "a"), writeStep("y", "b")]))
        history.read(3, "y", "b")
        #expect(history.check().isLinearizable)

        history.read(3, "x", nil)
        #expect(!history.check().isLinearizable)
    }

    @Test("an ok transaction is judged by the steps its completion lists")
    func completionStepsWin() {
        var history = HistoryScript()
        history.invokeTransaction(1, [readStep("x", nil), writeStep("x", "a")])
        history.ok(1, .transaction([readStep("x", nil)]))
        history.read(2, "x", "a")
        #expect(!history.check().isLinearizable)
    }

    @Test("an indeterminate transaction may take effect later, as a whole or not at all")
    func indeterminateTransaction() {
        var history = HistoryScript()
        history.invokeTransaction(1, [writeStep("x", "a"), writeStep("y", "b")])
        history.info(1)
        history.read(2, "x", "a")
        history.read(2, "y", "b")
        #expect(history.check().isLinearizable)

        var torn = HistoryScript()
        torn.invokeTransaction(1, [writeStep("x", "a"), writeStep("y", "b")])
        torn.info(1)
        torn.read(2, "x", "a")
        torn.read(2, "y", nil)
        #expect(!torn.check().isLinearizable)
    }

    @Test("a transaction may delete a key by writing null")
    func transactionalDelete() {
        var history = HistoryScript()
        history.write(1, "x", "a")
        history.invokeTransaction(1, [readStep("x", nil), writeStep("x", nil)])
        history.ok(1, .transaction([readStep("x", "a"), writeStep("x", nil)]))
        history.read(2, "x", nil)
        #expect(history.check().isLinearizable)
    }
}
