import ColonyAPI
import ColonyClient
import ColonyCore
import Testing
@testable import ColonyNode

/// How a node that has read no policy tells a colony without a directory from one whose
/// directory it cannot reach.
@Suite("the census of the directory")
struct DirectoryCensusTests {
    @Test("only a colony in which every node hosts no directory has none; the first other answer, by address, says why not")
    func holdout() {
        #expect(DirectoryCensus.holdout([:]) == nil)
        #expect(DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .hostsNone]) == nil)
        let holdout = DirectoryCensus.holdout(["c:1": .other("refused"), "a:1": .hostsNone, "b:1": .other("unavailable")])
        #expect(holdout?.address == "b:1")
        #expect(holdout?.answer == "unavailable")
    }

    @Test("a node that has read the directory does not call it not found when it hosts no replica; other cells, and a node that has not, do")
    func notHosted() {
        let notHosted = ClientOutcome.redirect(leader: nil, configuration: nil)
        func code(_ cell: String, directoryRead: Bool) -> Colony_V1_ErrorCode? {
            guard case .failure(let error) = APIMapping.result(of: notHosted, cell: CellID(cell), address: { _ in nil }, directoryRead: directoryRead) else {
                return nil
            }
            return error.code
        }
        #expect(code(ColonyDirectory.cell, directoryRead: true) == .unavailable)
        #expect(code(ColonyDirectory.cell, directoryRead: false) == .cellNotFound)
        #expect(code("app-1", directoryRead: true) == .cellNotFound)
    }
}
