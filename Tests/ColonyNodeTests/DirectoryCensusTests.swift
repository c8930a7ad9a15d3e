import ColonyAPI
import ColonyClient
import ColonyCore
import Testing
@testable import ColonyNode

/// How a node that has read no policy tells a colony without a directory from one whose
/// directory it cannot reach.
@Suite("the census of the directory")
struct DirectoryCensusTests {
    @Test("no directory only when no node answers otherwise and more than half of the nodes known say they host none; silent nodes say nothing")
    func holdout() {
        #expect(DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .hostsNone, "c:1": .hostsNone]) == nil)
        #expect(DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .hostsNone, "c:1": .silent("refused")]) == nil, "a node down in a colony being set up")
        let answered = DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .hostsNone, "c:1": .answered("which this colony has")])
        #expect(answered?.contains("c:1 leaves one possible (which this colony has)") == true, "\(answered ?? "")")
        let cutOff = DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .silent("refused"), "c:1": .silent("timed out")])
        #expect(cutOff?.contains("only 1 of the 3 nodes") == true, "a node cut off from most of the colony: \(cutOff ?? "")")
        #expect(DirectoryCensus.holdout(["a:1": .hostsNone, "b:1": .silent("refused")]) != nil, "one of two is not more than half")
        #expect(DirectoryCensus.holdout([:]) != nil)
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
