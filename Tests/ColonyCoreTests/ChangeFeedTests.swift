import ColonyCore
import Testing

@Suite("a replica's feed of recent changes")
struct ChangeFeedTests {
    func change(_ revision: Revision, _ key: String = "k", bytes: Int = 1) -> CellChange {
        CellChange(revision: revision, keys: [KeyChange(key: Key(key), value: Bytes(repeating: 7, count: bytes))])
    }

    func feed(through revision: Revision, changesKeptMax: Int = 100) -> ChangeFeed {
        var feed = ChangeFeed(at: 0)
        for next in stride(from: Revision(1), through: revision, by: 1) {
            feed.append(change(next), changesKeptMax: changesKeptMax, bytesKeptMax: 1_000_000)
        }
        return feed
    }

    @Test("it hands out the changes after a revision, in order, at most the limit at a time")
    func readsAfterARevision() {
        let feed = feed(through: 10)
        #expect(feed.read(after: 0, limit: 3) == .changes([change(1), change(2), change(3)]))
        #expect(feed.read(after: 7, limit: 10) == .changes([change(8), change(9), change(10)]))
    }

    @Test("a watcher at or ahead of the replica waits: a lagging replica sends later, never out of order")
    func upToDate() {
        let feed = feed(through: 4)
        #expect(feed.read(after: 4, limit: 10) == .upToDate)
        #expect(feed.read(after: 9, limit: 10) == .upToDate)
    }

    @Test("it keeps at most changesKeptMax changes and says compacted, naming where it starts, for older revisions")
    func countBound() {
        let feed = feed(through: 10, changesKeptMax: 4)
        #expect(feed.count == 4)
        #expect(feed.heldAfter == 6)
        #expect(feed.read(after: 5, limit: 10) == .compacted(heldAfter: 6))
        #expect(feed.read(after: 6, limit: 10) == .changes([change(7), change(8), change(9), change(10)]))
    }

    @Test("it keeps at most bytesKeptMax bytes, but always the newest change")
    func byteBound() {
        var feed = ChangeFeed(at: 0)
        func append(_ next: CellChange) { feed.append(next, changesKeptMax: 100, bytesKeptMax: 10) }
        append(change(1, bytes: 4))  // 5 bytes with its key
        append(change(2, bytes: 4))
        #expect(feed.count == 2)
        append(change(3, bytes: 4))
        #expect(feed.heldAfter == 1)
        append(change(4, bytes: 50))
        #expect(feed.count == 1)
        #expect(feed.read(after: 3, limit: 5) == .changes([change(4, bytes: 50)]))
    }

    @Test("a reset (a snapshot installed) forgets every earlier change")
    func reset() {
        var feed = feed(through: 5)
        feed.reset(at: 40)
        #expect(feed.read(after: 5, limit: 10) == .compacted(heldAfter: 40))
        #expect(feed.read(after: 40, limit: 10) == .upToDate)
        feed.append(change(41), changesKeptMax: 100, bytesKeptMax: 1_000)
        #expect(feed.read(after: 40, limit: 10) == .changes([change(41)]))
    }

    @Test("wrapping around its ring, it holds exactly the latest changes of a long run")
    func ringMatchesAList() {
        var feed = ChangeFeed(at: 0)
        var all: [CellChange] = []
        var generator = SplitMix64(seed: 11)
        for revision in Revision(1)...500 {
            let next = change(revision, bytes: Int(generator.next() % 12))
            all.append(next)
            feed.append(next, changesKeptMax: 7, bytesKeptMax: 60)
            let held = all.suffix(feed.count)
            #expect(feed.heldAfter == revision - Revision(feed.count))
            #expect(held.reduce(0) { $0 + $1.byteCount } <= 60 || feed.count == 1)
            if case .changes(let read) = feed.read(after: feed.heldAfter, limit: 100) {
                #expect(read == Array(held), "at revision \(revision)")
            } else {
                Issue.record("a feed holding \(feed.count) changes read nothing")
            }
        }
    }
}
