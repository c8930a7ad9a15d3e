import ColonyCore
import ColonySim
import Testing

@Suite("a cell restored from a backup: its keys at their versions, the cell at the backup's revision")
struct RestoreTests {
    static let limits = CellLimits.standard

    static func item(_ key: String, _ value: String, _ version: Revision) -> KeyValue {
        KeyValue(key: Key(key), value: Array(value.utf8), version: version)
    }

    static func part(_ revision: Revision, _ items: [KeyValue], first: Bool) -> CellOperation {
        .restore(RestoredKeys(revision: revision, items: items, isFirst: first))
    }

    @Test("the parts fill a cell never written: each key keeps its version, the cell takes the revision")
    func partsFillTheCell() {
        var store = CellStore()
        #expect(store.apply(Self.part(40, [Self.item("a", "1", 3), Self.item("b", "2", 40)], first: true), limits: Self.limits) == .success(.written(version: 40)))
        #expect(store.apply(Self.part(40, [Self.item("c", "3", 17)], first: false), limits: Self.limits) == .success(.written(version: 40)))
        #expect(store.revision == 40)
        #expect(store.all == [Self.item("a", "1", 3), Self.item("b", "2", 40), Self.item("c", "3", 17)])
        // The next write comes after the backup's revision.
        #expect(store.apply(.put(Key("d"), [1]), limits: Self.limits) == .success(.written(version: 41)))
    }

    @Test("a first part finds the cell written, or a later part finds another write since: refused, nothing changed")
    func otherWritesRefuseTheRestore() {
        var written = CellStore()
        _ = written.apply(.put(Key("x"), [1]), limits: Self.limits)
        #expect(written.apply(Self.part(1, [Self.item("a", "1", 1)], first: true), limits: Self.limits)
            == .failure(.restoreRefused(.cellWritten(found: 1, restoring: 1, isFirst: true))))
        #expect(written.all.map(\.key) == [Key("x")])

        var restoring = CellStore()
        _ = restoring.apply(Self.part(9, [Self.item("a", "1", 9)], first: true), limits: Self.limits)
        _ = restoring.apply(.put(Key("x"), [1]), limits: Self.limits)
        #expect(restoring.apply(Self.part(9, [Self.item("b", "2", 4)], first: false), limits: Self.limits)
            == .failure(.restoreRefused(.cellWritten(found: 10, restoring: 9, isFirst: false))))
        #expect(restoring.get(Key("b")) == nil)
    }

    @Test("a malformed part is refused before it reaches a slot: revision 0, a version out of range, keys out of order or repeated, too many keys")
    func malformedParts() throws {
        let configuration = try CellConfiguration(epoch: 1, members: Scenario.nodes(3), startSlot: 1, limits: CellLimits(transactionStepsMax: 2))
        func refusal(_ operation: CellOperation) -> OperationError? { operation.validationError(in: configuration) }
        #expect(refusal(Self.part(0, [], first: true)) == .restoreRefused(.revisionZero))
        #expect(refusal(Self.part(5, [Self.item("a", "1", 0)], first: true)) == .restoreRefused(.versionOutOfRange(index: 0)))
        #expect(refusal(Self.part(5, [Self.item("a", "1", 6)], first: true)) == .restoreRefused(.versionOutOfRange(index: 0)))
        #expect(refusal(Self.part(5, [Self.item("b", "1", 1), Self.item("a", "1", 1)], first: true)) == .restoreRefused(.keysNotAscending(index: 1)))
        #expect(refusal(Self.part(5, [Self.item("a", "1", 1), Self.item("a", "2", 1)], first: true)) == .restoreRefused(.keysNotAscending(index: 1)))
        let three = [Self.item("a", "1", 1), Self.item("b", "1", 1), Self.item("c", "1", 1)]
        #expect(refusal(Self.part(5, three, first: true)) == .restoreRefused(.tooManyKeys(3, max: 2)))
        #expect(refusal(Self.part(5, Array(three.prefix(2)), first: true)) == nil)
    }

    @Test("a part that does not fit the cell's quota changes nothing")
    func quotaIsAllOrNothing() {
        var store = CellStore()
        let small = CellLimits(keysMax: 1)
        #expect(store.apply(Self.part(3, [Self.item("a", "1", 1), Self.item("b", "2", 2)], first: true), limits: small) == .failure(.tooManyKeys(max: 1)))
        #expect(store.revision == 0 && store.count == 0)
    }

    @Test("through the log: every replica holds the restored keys, and a watcher's feed starts again at the backup's revision")
    func replicasAgreeAndFeedsRestart() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        let restore = ClientRequest(
            id: RequestID(client: ClientID(1), sequence: 1), cell: CellID("cell"),
            operation: Self.part(12, [Self.item("a", "1", 5), Self.item("b", "2", 12)], first: true))
        cell.submit(restore, to: leader)
        #expect(cell.reply(to: restore.id)?.outcome == .completed(.success(.written(version: 12))))
        for _ in 0..<50 { cell.tick() }
        for node in cell.nodes {
            let replica = try #require(cell.replicas[node])
            #expect(replica.state?.store.all == [Self.item("a", "1", 5), Self.item("b", "2", 12)], "n\(node)")
            #expect(replica.feed.read(after: 0, limit: 10) == .compacted(heldAfter: 12), "n\(node)")
        }
        cell.submit(Scenario.put("c", "3", sequence: 2), to: leader)
        #expect(cell.replicas[leader]?.feed.read(after: 12, limit: 10) == .changes([CellChange(revision: 13, keys: [KeyChange(key: Key("c"), value: Array("3".utf8))])]))
    }
}
