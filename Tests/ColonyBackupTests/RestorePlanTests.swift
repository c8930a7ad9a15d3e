import ColonyBackup
import Testing

/// What `colony restore` decides for each cell, and how it batches a cell's writes.
@Suite("restore plan")
struct RestorePlanTests {
    @Test("an absent cell is created, an existing one kept unless overwriting is asked, a reserved one never restored")
    func steps() {
        #expect(RestoreStep.choose(cell: "a", exists: false, overwrite: false) == .create)
        #expect(RestoreStep.choose(cell: "a", exists: true, overwrite: false) == .keepExisting)
        #expect(RestoreStep.choose(cell: "a", exists: true, overwrite: true) == .overwrite)
        #expect(RestoreStep.choose(cell: "_directory", exists: false, overwrite: true) == .skipReserved)
        #expect(RestoreStep.choose(cell: "_directory", exists: true, overwrite: true) == .skipReserved)
    }

    @Test("batches delete the keys the backup lacks first, then write every key, each within its steps and bytes")
    func batches() {
        let items = (0..<10).map { CellArchive.Item(key: "k\($0)", value: Array(repeating: 1, count: 100), version: 1) }
        let archive = CellArchive(cell: "a", revision: 9, items: items)
        let plan = RestoreBatches(archive: archive, existingKeys: ["k1", "old", "stale"], stepsMax: 4, bytesMax: 250)
        let writes = plan.batches.flatMap { $0 }
        #expect(writes.prefix(2) == [.delete(key: "old"), .delete(key: "stale")])
        #expect(writes.dropFirst(2) == items.map { .put(key: $0.key, value: $0.value) }[...])
        for batch in plan.batches {
            #expect(batch.count <= 4)
        }
        // Two deletions and two 102-byte puts fit 250 bytes; each later batch takes two puts.
        #expect(plan.batches.map(\.count) == [4, 2, 2, 2, 2])
    }

    @Test("a key the cell holds is deleted unless the backup holds the same bytes, not merely a key String takes as equal")
    func deletionByBytes() {
        let archive = CellArchive(cell: "a", revision: 1, items: [.init(key: "e\u{301}", value: [1], version: 1)])
        let writes = RestoreBatches(archive: archive, existingKeys: ["\u{e9}", "e\u{301}"], stepsMax: 64, bytesMax: 1024).batches.flatMap { $0 }
        #expect(writes.count == 2)
        if case .delete(let key) = writes.first { #expect(Array(key.utf8) == Array("\u{e9}".utf8)) } else { Issue.record("\(writes)") }
    }

    @Test("a value larger than a batch's bytes goes alone; an empty cell with nothing to delete needs no batch")
    func edges() {
        let big = CellArchive(cell: "a", revision: 2, items: [
            .init(key: "a", value: Array(repeating: 0, count: 1000), version: 1), .init(key: "b", value: [1], version: 2),
        ])
        #expect(RestoreBatches(archive: big, existingKeys: [], stepsMax: 64, bytesMax: 100).batches.map(\.count) == [1, 1])
        #expect(RestoreBatches(archive: CellArchive(cell: "a", revision: 0, items: []), existingKeys: [], stepsMax: 64, bytesMax: 100).batches.isEmpty)
    }

    @Test("a created cell's parts carry its keys in the cell's byte order with their versions, each within its keys and bytes")
    func parts() {
        let items = ["b", "a", "\u{e9}", "c"].enumerated().map { CellArchive.Item(key: $0.element, value: Array(repeating: 1, count: 100), version: UInt64($0.offset + 1)) }
        let plan = RestoreParts(archive: CellArchive(cell: "a", revision: 9, items: items), stepsMax: 3, bytesMax: 250)
        #expect(plan.revision == 9)
        #expect(plan.parts.map { $0.map(\.key) } == [["a", "b"], ["c", "\u{e9}"]])
        #expect(plan.parts.flatMap { $0 }.map(\.version) == [2, 1, 4, 3])
    }

    @Test("a cell whose keys were all deleted still takes its revision in one empty part; a cell never written needs none")
    func emptyCells() {
        #expect(RestoreParts(archive: CellArchive(cell: "a", revision: 5, items: []), stepsMax: 64, bytesMax: 100).parts == [[]])
        #expect(RestoreParts(archive: CellArchive(cell: "a", revision: 0, items: []), stepsMax: 64, bytesMax: 100).parts.isEmpty)
    }
}
