import ColonyCore
import ColonySim
import Testing

@Suite("the changes a cell's commands make, as watchers see them")
struct CellChangeTests {
    func bytes(_ text: String) -> Bytes { Array(text.utf8) }

    func request(_ operation: CellOperation, sequence: UInt64) -> ClientRequest {
        ClientRequest(id: RequestID(client: ClientID(1), sequence: sequence), cell: CellID("cell"), operation: operation)
    }

    /// Applies `operations` through a 3-replica cell and returns its leader's feed.
    func feed(after operations: [CellOperation]) throws -> (ChangeFeed, InMemoryCell) {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        for (index, operation) in operations.enumerated() {
            cell.submit(request(operation, sequence: UInt64(index + 1)), to: leader)
        }
        // Followers learn the last slots are chosen from the next heartbeat.
        for _ in 0..<30 { cell.tick() }
        return (try #require(cell.replicas[leader]).feed, cell)
    }

    @Test("a put, a compare-and-set, an increment and a delete each make one change with the key's new state")
    func singleKeyChanges() throws {
        let (feed, _) = try feed(after: [
            .put("a", bytes("1")), .compareAndSet("a", expected: .value(bytes("1")), value: bytes("2")), .increment("n", by: 3),
            .delete("a"),
        ])
        #expect(feed.read(after: 0, limit: 10) == .changes([
            CellChange(revision: 1, keys: [KeyChange(key: "a", value: bytes("1"))]),
            CellChange(revision: 2, keys: [KeyChange(key: "a", value: bytes("2"))]),
            CellChange(revision: 3, keys: [KeyChange(key: "n", value: bytes("3"))]),
            CellChange(revision: 4, keys: [KeyChange(key: "a", value: nil)]),
        ]))
    }

    @Test("what changes nothing makes no change: a failed write, a delete of an absent key, a transaction of reads")
    func noChanges() throws {
        let (feed, _) = try feed(after: [
            .put("a", bytes("1")), .compareAndSet("a", expected: .absent, value: bytes("x")), .delete("missing"),
            .transaction(Transaction(success: [.get("a")])), .increment("a", by: Int64.max), .put("b", bytes("2")),
        ])
        #expect(feed.read(after: 0, limit: 10) == .changes([
            CellChange(revision: 1, keys: [KeyChange(key: "a", value: bytes("1"))]),
            CellChange(revision: 2, keys: [KeyChange(key: "b", value: bytes("2"))]),
        ]))
    }

    @Test("a transaction's keys come as one change, in key order, each with its final state")
    func transactionIsOneChange() throws {
        let transaction = Transaction(
            conditions: [.exists("z", false)],
            success: [.put("z", bytes("1")), .get("a"), .delete("a"), .put("m", bytes("x")), .delete("m"), .increment("b", by: 2),
                      .delete("absent")])
        let (feed, _) = try feed(after: [.put("a", bytes("0")), .transaction(transaction)])
        #expect(feed.read(after: 1, limit: 10) == .changes([
            CellChange(revision: 2, keys: [
                KeyChange(key: "a", value: nil), KeyChange(key: "b", value: bytes("2")), KeyChange(key: "m", value: nil),
                KeyChange(key: "z", value: bytes("1")),
            ]),
        ]))
    }

    @Test("every replica's feed holds the same change for each revision")
    func feedsAgree() throws {
        let operations: [CellOperation] = (0..<30).map { index in
            index % 7 == 0 ? .delete(Key("k\(index % 4)")) : .put(Key("k\(index % 4)"), bytes("v\(index)"))
        }
        let (_, cell) = try feed(after: operations)
        let feeds = cell.nodes.compactMap { cell.replicas[$0]?.feed.read(after: 0, limit: 100) }
        #expect(feeds.count == 3)
        #expect(Set(feeds.map { "\($0)" }).count == 1)
    }

    @Test("a prefix keeps the matching keys of a change, and drops a change with none")
    func prefixFilter() {
        let change = CellChange(revision: 4, keys: [KeyChange(key: "a/1", value: [1]), KeyChange(key: "b/1", value: nil)])
        #expect(change.filtered(prefix: "b/") == CellChange(revision: 4, keys: [KeyChange(key: "b/1", value: nil)]))
        #expect(change.filtered(prefix: "c/") == nil)
        #expect(change.filtered(prefix: "") == change)
    }

    @Test("a replica that installs a snapshot starts its feed there; one restarted starts at its snapshot")
    func feedsStartAtSnapshots() throws {
        var options = ReplicaOptions()
        options.snapshotIntervalSlots = 4
        options.catchUpEntriesMax = 2
        var cell = try Scenario.cell(3, options: options)
        let leader = try Scenario.leader(&cell)
        let behind = try #require(cell.nodes.first { $0 != leader })
        cell.isolated = [behind]
        for sequence in UInt64(1)...12 {
            cell.submit(request(.put(Key("k\(sequence)"), bytes("v")), sequence: sequence), to: leader)
        }
        cell.isolated = []
        for _ in 0..<60 { cell.tick() }
        let caughtUp = try #require(cell.replicas[behind])
        #expect(caughtUp.state?.store.revision == 12)
        #expect(caughtUp.feed.heldAfter > 0, "the replica installed a snapshot and holds no change before it")
        #expect(caughtUp.feed.read(after: 0, limit: 10) == .compacted(heldAfter: caughtUp.feed.heldAfter))

        cell.restart(leader)
        let restarted = try #require(cell.replicas[leader])
        #expect(restarted.feed.latest == 12)
        #expect(restarted.feed.heldAfter >= 8, "changes up to the last snapshot are not replayed into the feed")
    }
}
