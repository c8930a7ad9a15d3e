import ColonyCheck
import ColonyCore
import Testing

@Suite("Violation reports")
struct ViolationReportTests {
    /// Twenty sequential writes of k1 in cell vol-7, each read back, with traffic on other
    /// keys and cells, then a read of k1 that returns the fifth value again.
    private func historyWithOneStaleRead() -> HistoryScript {
        var history = HistoryScript()
        for round in 1...20 {
            history.write(1, "k1", "v\(round)")
            history.read(2, "k1", "v\(round)")
            history.write(3, "k2", "w\(round)")
            history.invokeWrite(4, "k1", "other\(round)")
            history.ok(4)
            history.invoke(5, .write, "k1", .string("elsewhere\(round)"), cell: "vol-8")
            history.ok(5)
        }
        history.read(6, "k1", "v5")
        return history
    }

    @Test("the report names the cell and key, and its slice is three operations")
    func sliceIsSmall() throws {
        let history = historyWithOneStaleRead()
        let report = history.check()
        #expect(!report.isLinearizable)
        #expect(report.partitionCount == 3)
        let violation = try #require(report.violations.first)
        #expect(report.violations.count == 1)
        #expect(violation.cell == "vol-7")
        #expect(violation.key == "k1")
        // The write of v5, one later write that overwrote it, and the stale read.
        #expect(violation.events.count == 6)
        #expect(violation.events.filter { $0.type == .invoke }.map(\.value).contains(.string("v5")))
        #expect(violation.explanation.contains("no order of these 3 operations on key \"k1\" of cell \"vol-7\""))
        #expect(violation.explanation.contains("read \"k1\" → \"v5\" by process 6"))
    }

    @Test("the slice keeps the original event indices")
    func sliceKeepsIndices() throws {
        let history = historyWithOneStaleRead()
        let violation = try #require(history.check().violations.first)
        for event in violation.events {
            #expect(history.events[event.index] == event)
        }
        #expect(violation.events.last?.index == history.events.count - 1)
    }

    @Test("the slice stops at the shortest prefix that already fails")
    func sliceEndsEarly() throws {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeRead(2, "k1")
        history.write(1, "k1", "b")
        history.okRead(2, "z")
        for round in 1...30 {
            history.write(1, "k1", "later\(round)")
            history.read(3, "k1", "later\(round)")
        }
        let violation = try #require(history.check().violations.first)
        #expect(violation.events.count == 2)
        #expect(violation.events.map(\.index) == [2, 5])
    }

    @Test("a transaction cut short by the prefix still does what its completion says it did")
    func cutTransactionKeepsItsBranch() throws {
        var history = HistoryScript()
        history.invokeTransaction(1, [writeStep("x", "a")])
        history.read(2, "y", "b")
        history.write(3, "z", "c")
        history.read(3, "z", "ghost")
        history.ok(1, .transaction([writeStep("y", "b")]))
        let violation = try #require(history.check().violations.first)
        #expect(violation.events.map(\.index) == [5, 6])
    }

    @Test("the description prints the explanation and the slice as history lines")
    func descriptionShowsSlice() throws {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.read(2, "k1", nil)
        let report = history.check()
        let text = report.description
        #expect(text.contains("NOT LINEARIZABLE"))
        #expect(text.contains(#"{"index":0,"time":0,"process":1,"type":"invoke","f":"write","cell":"vol-7","key":"k1","value":"a"}"#))
        #expect(text.contains(#"{"index":3,"time":30,"process":2,"type":"ok","f":"read","cell":"vol-7","key":"k1","value":null}"#))
    }

    @Test("a search that runs out of budget is reported as unknown, never as a pass")
    func budgetExhausted() {
        var history = HistoryScript()
        for process in 1...6 {
            history.invokeWrite(process, "k1", "v\(process)")
        }
        for process in 1...6 {
            history.ok(process)
        }
        history.read(7, "k1", "v3")
        let report = LinearizabilityChecker(budget: 3).check(history.events)
        #expect(!report.isLinearizable)
        #expect(report.violations.isEmpty)
        #expect(report.unknownPartitions.count == 1)
        #expect(report.unknownPartitions.first?.key == "k1")
        #expect(report.description.contains("gave up"))
        #expect(LinearizabilityChecker().check(history.events).isLinearizable)
    }

    @Test("events that are not a well-formed history are reported, not checked")
    func invalidHistory() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        var events = history.events
        events[1].index = 7
        let report = LinearizabilityChecker().check(events)
        #expect(!report.isLinearizable)
        #expect(report.invalidHistory?.line == 2)
        #expect(report.partitionCount == 0)
    }

    @Test("the report counts events, operations and partitions")
    func counts() {
        var history = HistoryScript()
        history.write(1, "k1", "a")
        history.invokeCompareAndSet(2, "k1", "z", "b")
        history.fail(2)
        history.invokeWrite(3, "k2", "c")
        history.info(3)
        history.invokeRead(4, "k3")
        let report = history.check()
        #expect(report.eventCount == 7)
        #expect(report.operationCount == 4)
        #expect(report.failedOperationCount == 1)
        #expect(report.indeterminateOperationCount == 2)
        #expect(report.partitionCount == 3)
        #expect(report.isLinearizable)
        #expect(report.description.hasSuffix("linearizable"))
    }
}
