import ColonyClient
import ColonyControl
import ColonyCore
import Foundation
import Testing

@Suite("the directory's bytes: one listing makes a snapshot, records encode the same everywhere")
struct DirectorySnapshotTests {
    /// The directory of `fixture`, as a listing of the directory cell returns it: keys in order,
    /// with the settings and a status beside the records.
    static func listing(_ fixture: ControlFixture, status: ControlStatus? = nil) throws -> [(key: String, value: [UInt8])] {
        var records = fixture.snapshot.nodes.map(DirectoryRecord.node) + fixture.snapshot.cells.map(DirectoryRecord.cell)
        records.append(.settings(fixture.snapshot.settings))
        if let status { records.append(.status(status)) }
        return try records.map { ($0.key, try $0.encoded()) }.sorted { $0.0 < $1.0 }
    }

    @Test("one listing of the directory makes the snapshot: nodes in id order, cells in name order, the settings")
    func listingMakesSnapshot() throws {
        var fixture = try ControlFixture(cells: ["b", "a", "c"])
        fixture.snapshot.settings = ControlSettings(paused: true, movesPerSecond: 4)
        let status = ControlStatus(
            pass: 3, paused: true, movesStarted: 1, movesFinished: 1, movesUnderWay: [], replicasToMove: 0, problems: [], loop: 9)
        let snapshot = try DirectorySnapshot(listing: Self.listing(fixture, status: status).reversed())
        var expected = fixture.snapshot
        expected.cells.sort { $0.cell < $1.cell }
        #expect(snapshot == expected)
        #expect(snapshot.nodes.map(\.id) == Array(1...9))
        #expect(snapshot.cells.map(\.cell.name) == ["a", "b", "c"])
    }

    @Test("without settings the snapshot has the defaults, and keys it does not know are not read")
    func defaultsAndOtherKeys() throws {
        let fixture = try ControlFixture(cells: ["a"])
        var entries = try Self.listing(fixture).filter { $0.key != ColonyDirectory.settingsKey }
        entries.append((ColonyDirectory.statusKey, Array("not json".utf8)))
        entries.append(("notes/today", Array("free text".utf8)))
        let snapshot = try DirectorySnapshot(listing: entries)
        #expect(snapshot.settings == ControlSettings())
        #expect(snapshot.cells == fixture.snapshot.cells && snapshot.nodes == fixture.snapshot.nodes)
    }

    @Test("a malformed record anywhere in the listing fails the whole snapshot, naming its key")
    func malformedRecordFailsSnapshot() throws {
        let fixture = try ControlFixture(cells: ["a"])
        var entries = try Self.listing(fixture)
        let key = ColonyDirectory.cellKey("a")
        let index = try #require(entries.firstIndex { $0.key == key })
        entries[index].value = Array(#"{"clientAddresses":[]}"#.utf8)
        #expect(throws: DirectoryError.malformedRecord(key: key, reason: "the field \"placement\" is missing")) {
            _ = try DirectorySnapshot(listing: entries)
        }
        entries[index].value = try DirectoryRecord.cell(fixture.record("a")).encoded()
        entries.append((ColonyDirectory.settingsKey, Array(#"{"paused":false,"movesPerSecond":1000}"#.utf8)))
        #expect(throws: DirectoryError.malformedRecord(key: ColonyDirectory.settingsKey, reason: "movesPerSecond 1000.0 must be above 0 and at most 100.0")) {
            _ = try DirectorySnapshot(listing: entries)
        }
    }

    @Test("a record is stored under its key as JSON with sorted keys, and reads back as itself")
    func recordBytes() throws {
        let fixture = try ControlFixture(cells: ["a"])
        let record = fixture.record("a")
        let bytes = try DirectoryRecord.cell(record).encoded()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(bytes == Array(try encoder.encode(record)))
        #expect(DirectoryRecord.cell(record).key == "cell/a")
        #expect(DirectoryRecord.node(fixture.snapshot.nodes[2]).key == "node/0000000003")
        #expect(DirectoryRecord.settings(ControlSettings()).key == ColonyDirectory.settingsKey)
        #expect(try DirectoryCoding.decode(bytes, key: "cell/a", as: PlacedCell.self) == record)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.firstRange(of: "\"clientAddresses\"")!.lowerBound < text.firstRange(of: "\"placement\"")!.lowerBound)
    }

    @Test("a value JSON cannot hold is refused, saying for which key")
    func unencodableRefused() {
        #expect {
            _ = try DirectoryRecord.settings(ControlSettings(movesPerSecond: .nan)).encoded()
        } throws: { error in
            guard case DirectoryError.refused(let message) = error else { return false }
            return message.contains(ColonyDirectory.settingsKey)
        }
    }
}
