import ColonyCore
import Testing
@testable import ColonyNode

/// What a node does with the format level its directory records.
@Suite("a node's format level: read from the directory, and checked against its peers' hellos")
struct FormatLevelRefresherTests {
    typealias Refresher = FormatLevelRefresher

    @Test("a recorded level the build reads and writes below is raised to; one at or below the level written is kept; one it does not read is refused, never written")
    func steps() {
        #expect(Refresher.step(recorded: 2, read: FormatLevel.rehearsalRead, written: .first) == .raise(.rehearsal))
        #expect(Refresher.step(recorded: 1, read: FormatLevel.rehearsalRead, written: .first) == .keep)
        #expect(Refresher.step(recorded: 1, read: FormatLevel.rehearsalRead, written: .rehearsal) == .keep, "never lowered")
        #expect(Refresher.step(recorded: 2, read: FormatLevel.standardRead, written: .first) == .unreadable(2))
        #expect(Refresher.step(recorded: 7, read: FormatLevel.rehearsalRead, written: .rehearsal) == .unreadable(7))
        #expect(Refresher.step(recorded: 0, read: FormatLevel.rehearsalRead, written: .first) == .keep)
    }

    @Test("a peer whose hello says it does not read the level this node writes is named; one that reads it is not")
    func helloNamesAnUnreadLevel() {
        #expect(PeerInboundHandler.unreadLevel(written: .rehearsal, reads: 1...1) == .rehearsal)
        #expect(PeerInboundHandler.unreadLevel(written: .rehearsal, reads: 1...2) == nil)
        #expect(PeerInboundHandler.unreadLevel(written: .first, reads: 1...1) == nil)
    }
}
