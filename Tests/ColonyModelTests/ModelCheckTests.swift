import ColonyTestSupport
import Foundation
import Testing

/// The Promela model of one cell (`Model/cell.pml`), checked by spin: every bounded
/// configuration of `Model/checks.txt` holds, and every mutant (one safety mechanism switched
/// off by a macro) is refuted on its property with a counterexample trail. Skipped, saying
/// why, where spin or gcc is not installed (`.ci/run` installs spin).
@Suite("the cell's protocol, model-checked by spin")
struct ModelCheckTests {
    @Test("Model/checks.txt lists the bounded models and a mutant for every property")
    func listIsWhole() {
        let properties = Set(ModelCheck.all.compactMap { check -> String? in
            if case .refuted(let property) = check.expectation { return property }
            return nil
        })
        #expect(properties == ["oneValuePerSlot", "readSeesAckedWrites", "oneConfigurationDecides"])
        #expect(ModelCheck.all.contains { $0.expectation == .holds })
    }

    @Test(
        "spin finds every property holding on the model, and refutes every mutant",
        .enabled(if: SpinTools.missing == nil, "spin or gcc is not installed (Debian: apt-get install spin gcc); skipping the model checks"),
        arguments: ModelCheck.all)
    func check(_ check: ModelCheck) async throws {
        // pan is CPU-bound for seconds to a minute: it takes its turn with the other heavy work.
        // No time limit on the test, whose wait for that turn has no bound of its own; each of
        // spin, gcc and pan is killed past its 300 s instead.
        let report = try await OwnThread.run(heavy: true) {
            try SpinRun(defines: check.defines, limitSeconds: 300).run()
        }
        #expect(!report.truncated, "the search was cut short by its depth bound: \(report.output)")
        switch check.expectation {
        case .holds:
            #expect(report.errors == 0, "\(report.output)")
            #expect(report.violation == nil)
        case .refuted(let property):
            #expect((report.errors ?? 0) >= 1, "the mutant survived: \(report.output)")
            #expect(report.wroteTrail)
            #expect(report.violation?.contains("(\(property)&&") == true, "expected \(property): \(report.violation ?? report.output)")
        }
    }
}
