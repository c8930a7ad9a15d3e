import ColonyCheck
import ColonyCore
import Testing

@Suite("Random linearizable histories")
struct RandomHistoryTests {
    @Test("thousands of overlapping register operations from a sequential simulation are linearizable",
          arguments: [1, 2, 3] as [UInt64])
    func randomRegisters(seed: UInt64) throws {
        let workload = RandomHistory.Workload(operationCount: 3_000, processCount: 8, cells: ["c1"], keys: ["a", "b", "c"])
        let events = RandomHistory.make(seed: seed, workload)
        try HistoryCoding.validate(events)
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "seed=\(seed)\n\(report)")
        #expect(report.partitionCount == 3)
    }

    @Test("overlapping transactions from a sequential simulation are linearizable", arguments: [4, 5] as [UInt64])
    func randomTransactions(seed: UInt64) {
        let workload = RandomHistory.Workload(
            operationCount: 1_000, processCount: 6, cells: ["t1", "c1"], keys: ["a", "b", "c"], transactionalCells: ["t1"])
        let events = RandomHistory.make(seed: seed, workload)
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "seed=\(seed)\n\(report)")
    }

    @Test("a random history with one read changed to a value nobody wrote is caught, with that read alone as its slice")
    func corruptedRead() throws {
        let workload = RandomHistory.Workload(operationCount: 2_000, processCount: 8, cells: ["c1", "c2"], keys: ["a", "b"])
        var events = RandomHistory.make(seed: 9, workload)
        let corrupted = try #require(events.lastIndex { $0.type == .ok && $0.function == .read && $0.cell == "c2" })
        events[corrupted].value = .string("never written")
        let report = LinearizabilityChecker().check(events)
        #expect(report.violations.count == 1)
        let violation = try #require(report.violations.first)
        #expect(violation.cell == "c2")
        #expect(violation.key == events[corrupted].key)
        #expect(violation.events.count == 2)
        #expect(violation.events.last == events[corrupted])
    }

    @Test("a history of 20,000 events over 50 cells of 5 keys and 30 processes is linearizable")
    func largeHistory() throws {
        let workload = RandomHistory.Workload(
            operationCount: 10_000, processCount: 30, cells: (1...50).map { "vol-\($0)" },
            keys: (1...5).map { "k\($0)" }, transactionalCells: ["vol-1", "vol-2", "vol-3", "vol-4", "vol-5"])
        let events = RandomHistory.make(seed: 20_000, workload)
        #expect(events.count >= 19_900)
        let text = HistoryCoding.encode(events)
        let parsed = try HistoryCoding.parse(text)
        let report = LinearizabilityChecker().check(parsed)
        #expect(report.isLinearizable, "\(report)")
        #expect(report.partitionCount == 5 + 45 * 5)
    }

    @Test("one key hammered by 30 concurrent processes is decided, and a stale read in it is cut to three operations")
    func contendedKey() throws {
        let workload = RandomHistory.Workload(operationCount: 2_000, processCount: 30, cells: ["c"], keys: ["k"])
        var events = RandomHistory.make(seed: 11, workload)
        #expect(LinearizabilityChecker().check(events).isLinearizable)

        let firstWrite = try #require(events.first { $0.type == .ok && $0.function == .write })
        let lastRead = try #require(events.lastIndex { $0.type == .ok && $0.function == .read })
        events[lastRead].value = firstWrite.value
        let report = LinearizabilityChecker().check(events)
        let violation = try #require(report.violations.first)
        #expect(report.unknownPartitions.isEmpty)
        #expect(violation.events.count == 6)
        #expect(violation.events.contains(firstWrite))
        #expect(violation.events.last == events[lastRead])
    }
}
