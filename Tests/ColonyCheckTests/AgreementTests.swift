import ColonyCheck
import ColonyCore
import Testing

@Suite("Agreement with a brute-force checker")
struct AgreementTests {
    /// A tiny history at random, often not linearizable: reads return any value written
    /// so far (or absent), operations overlap, and outcomes are ok, fail, info or none.
    static func tinyHistory(seed: UInt64) -> [HistoryEvent] {
        var generator = SplitMix64(seed: seed)
        var script = HistoryScript()
        let transactional = Int.random(in: 0..<3, using: &generator) == 0
        var written: [String] = []
        var idle = [1, 2, 3]
        var busy: [Int] = []
        var nextProcess = 4
        let operationCount = Int.random(in: 2...6, using: &generator)
        var invoked = 0
        func someValue() -> String? {
            Int.random(in: 0...written.count, using: &generator) == 0 ? nil : written.randomElement(using: &generator)
        }
        while invoked < operationCount || !busy.isEmpty {
            let invokes = invoked < operationCount && !idle.isEmpty && (busy.isEmpty || Bool.random(using: &generator))
            if invokes {
                let process = idle.removeFirst()
                let key = ["x", "y"].randomElement(using: &generator) ?? "x"
                let fresh = "v\(invoked)"
                switch Int.random(in: 0..<(transactional ? 6 : 5), using: &generator) {
                case 0, 1: script.invokeRead(process, key)
                case 2: script.invokeWrite(process, key, fresh); written.append(fresh)
                case 3: script.invokeCompareAndSet(process, key, someValue(), fresh); written.append(fresh)
                case 4: script.invoke(process, .delete, key, .null)
                default:
                    script.invokeTransaction(process, [readStep("x", nil), writeStep("y", fresh), readStep("y", nil)])
                    written.append(fresh)
                }
                busy.append(process)
                invoked += 1
                continue
            }
            let process = busy.remove(at: Int.random(in: 0..<busy.count, using: &generator))
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: script.fail(process); idle.append(process)
            case 1: script.info(process); idle.append(nextProcess); nextProcess += 1
            case 2 where invoked >= operationCount: break  // never completes
            default:
                script.ok(process, completionValue(of: script.events.last { $0.process == process }, someValue))
                idle.append(process)
            }
        }
        return script.events
    }

    private static func completionValue(of invoke: HistoryEvent?, _ someValue: () -> String?) -> HistoryValue? {
        guard let invoke else { return nil }
        switch invoke.value {
        case .transaction(let steps):
            return .transaction(steps.map { $0.kind == .read ? readStep($0.key, someValue()) : $0 })
        case .null where invoke.function == .read:
            return someValue().map(HistoryValue.string) ?? .null
        case .null, .string, .pair:
            return nil
        }
    }

    @Test("the checker agrees with trying every order, on thousands of tiny random histories")
    func verdictsAgree() throws {
        var counts = (linearizable: 0, violated: 0)
        for seed in 0..<3_000 as Range<UInt64> {
            let events = Self.tinyHistory(seed: seed)
            try HistoryCoding.validate(events)
            let report = LinearizabilityChecker().check(events)
            let expected = BruteForceChecker.isLinearizable(events)
            #expect(report.isLinearizable == expected, "seed=\(seed)\n\(HistoryCoding.encode(events))\(report)")
            #expect(report.unknownPartitions.isEmpty)
            if expected { counts.linearizable += 1 } else { counts.violated += 1 }
            for violation in report.violations {
                #expect(!BruteForceChecker.isLinearizable(violation.events), "seed=\(seed): slice is linearizable\n\(violation)")
            }
        }
        #expect(counts.linearizable > 300)
        #expect(counts.violated > 300)
    }
}
