import ColonyBackup
import ColonyStorage
import Foundation
import Testing

/// A backup's files as written and read: the cell files round-trip plain and sealed, the
/// manifest round-trips, and every damaged input is refused with a reason, never a trap.
@Suite("backup files")
struct BackupFormatTests {
    static let backupID = Array(0..<16).map(UInt8.init)
    static let nonce = Array(repeating: UInt8(7), count: 12)
    static let key = try! StorageKey(bytes: Array(repeating: 0x42, count: 32))
    static let archive = CellArchive(cell: "vol-7", revision: 12, items: [
        .init(key: "a", value: Array("one".utf8), version: 3),
        .init(key: "b", value: [], version: 12),
        .init(key: "c/d", value: [0, 255, 1], version: 7),
    ])

    @Test("a cell file decodes to what was encoded, plain and sealed")
    func roundTrip() throws {
        for sealer in [Sealer(key: nil), Sealer(key: Self.key)] {
            let bytes = Self.archive.encoded(backupID: Self.backupID, sealer: sealer, nonce: Self.nonce)
            let decoded = try CellArchive.decode(bytes, sealer: sealer)
            #expect(decoded.archive == Self.archive)
            #expect(decoded.backupID == Self.backupID)
        }
    }

    @Test("keys that Swift's String takes as equal (é, and e with a combining accent) are two keys, ordered by their bytes as a cell orders them")
    func canonicallyEquivalentKeys() throws {
        let archive = CellArchive(cell: "names", revision: 2, items: [
            .init(key: "e\u{301}", value: [1], version: 1), .init(key: "\u{e9}", value: [2], version: 2),
        ])
        #expect(CellArchive.keysAscend(archive.items) && !CellArchive.keysAscend(archive.items.reversed()))
        let bytes = archive.encoded(backupID: Self.backupID, sealer: Sealer(key: nil), nonce: Self.nonce)
        #expect(try CellArchive.decode(bytes, sealer: Sealer(key: nil)).archive.items.map { Array($0.key.utf8) } == archive.items.map { Array($0.key.utf8) })
    }

    @Test("a sealed cell file shows none of its values, and opens only with its key")
    func sealing() throws {
        let bytes = Self.archive.encoded(backupID: Self.backupID, sealer: Sealer(key: Self.key), nonce: Self.nonce)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("one"))
        let other = try StorageKey(bytes: Array(repeating: 0x43, count: 32))
        #expect(throws: CellArchiveError.cannotOpen) { try CellArchive.decode(bytes, sealer: Sealer(key: other)) }
        #expect(throws: CellArchiveError.sealedButNoKey) { try CellArchive.decode(bytes, sealer: Sealer(key: nil)) }
        let plain = Self.archive.encoded(backupID: Self.backupID, sealer: Sealer(key: nil), nonce: Self.nonce)
        #expect(throws: CellArchiveError.plainButKeyGiven) { try CellArchive.decode(plain, sealer: Sealer(key: Self.key)) }
    }

    @Test("every truncation and every flipped byte of a cell file is refused, plain or sealed, without a trap")
    func damagedCellFiles() {
        for sealer in [Sealer(key: nil), Sealer(key: Self.key)] {
            let bytes = Self.archive.encoded(backupID: Self.backupID, sealer: sealer, nonce: Self.nonce)
            for length in 0..<bytes.count {
                #expect(throws: CellArchiveError.self) { try CellArchive.decode(Array(bytes.prefix(length)), sealer: sealer) }
            }
            var changedDecodes = 0
            for index in bytes.indices {
                var flipped = bytes
                flipped[index] ^= 0x01
                if let decoded = try? CellArchive.decode(flipped, sealer: sealer) {
                    // A plain body may decode to another archive; the manifest's SHA-256 catches that.
                    #expect(!sealer.isSealing, "a sealed file decoded with byte \(index) flipped")
                    if decoded.archive != Self.archive || decoded.backupID != Self.backupID { changedDecodes += 1 }
                }
            }
            if sealer.isSealing { #expect(changedDecodes == 0) }
        }
    }

    @Test("a cell file that claims absurd lengths, unsorted keys or a version past its revision is refused")
    func hostileBodies() {
        let sealer = Sealer(key: nil)
        let header = Array("CLNYBKCL".utf8) + [1, 0, 0] + Array(repeating: 0, count: 12)
        // The backup id, the name "x", revision 5, then a count of 2^62 keys.
        let absurd = header + Self.backupID + [1, UInt8(ascii: "x"), 5] + [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
        #expect(throws: CellArchiveError.self) { try CellArchive.decode(absurd, sealer: sealer) }
        // Two keys, "b" then "a".
        let unsorted = header + Self.backupID + [1, UInt8(ascii: "x"), 5, 2, 1, UInt8(ascii: "b"), 0, 1, 1, UInt8(ascii: "a"), 0, 1]
        #expect(throws: CellArchiveError.self) { try CellArchive.decode(unsorted, sealer: sealer) }
        // One key at version 9 of a cell at revision 5.
        let ahead = header + Self.backupID + [1, UInt8(ascii: "x"), 5, 1, 1, UInt8(ascii: "a"), 0, 9]
        #expect(throws: CellArchiveError.self) { try CellArchive.decode(ahead, sealer: sealer) }
        var future = header + Self.backupID + [1, UInt8(ascii: "x"), 5, 0]
        future[8] = 2
        #expect(throws: CellArchiveError.unsupportedVersion(2)) { try CellArchive.decode(future, sealer: sealer) }
    }

    static func manifest(cells: [BackupManifest.Cell]) -> BackupManifest {
        BackupManifest(
            backupID: BackupHex.encode(backupID), colony: .init(caSHA256: nil, nodes: 5), began: "2026-12-06T20:00:00Z",
            ended: "2026-12-06T20:00:01Z", encrypted: false, keyCheck: nil, cells: cells)
    }

    static func entry(_ cell: String, file: String = BackupFormat.cellFileName(1)) -> BackupManifest.Cell {
        BackupManifest.Cell(
            cell: cell, file: file, revision: 12, keys: 3, fileBytes: 100, sha256: String(repeating: "ab", count: 32),
            quota: .init(keysMax: 1000, bytesMax: 1 << 20, valueBytesMax: 16384), placement: .init(replicas: 3, nearZone: nil, color: "default"))
    }

    @Test("a manifest decodes to what was encoded")
    func manifestRoundTrip() throws {
        let manifest = Self.manifest(cells: [Self.entry("vol-7"), Self.entry("_directory", file: BackupFormat.cellFileName(2))])
        #expect(try BackupManifest.decode(manifest.encoded()) == manifest)
    }

    @Test("a manifest with an unknown key, a path outside the folder, a cell twice, a bad name or a bad figure is refused")
    func damagedManifests() {
        var bad: [(String, BackupManifest)] = []
        bad.append(("outside", Self.manifest(cells: [Self.entry("a", file: "../../etc/passwd")])))
        bad.append(("twice", Self.manifest(cells: [Self.entry("a"), Self.entry("a", file: BackupFormat.cellFileName(2))])))
        bad.append(("same file", Self.manifest(cells: [Self.entry("a"), Self.entry("b")])))
        bad.append(("bad name", Self.manifest(cells: [Self.entry("")])))
        var negative = Self.entry("a")
        negative.keys = -1
        bad.append(("negative keys", Self.manifest(cells: [negative])))
        var even = Self.entry("a")
        even.placement?.replicas = 4
        bad.append(("even replicas", Self.manifest(cells: [even])))
        var checksum = Self.entry("a")
        checksum.sha256 = "xyz"
        bad.append(("checksum", Self.manifest(cells: [checksum])))
        var unchecked = Self.manifest(cells: [])
        unchecked.encrypted = true
        bad.append(("encrypted without a key check", unchecked))
        var future = Self.manifest(cells: [])
        future.format = 2
        bad.append(("format", future))
        for (what, manifest) in bad {
            #expect(throws: BackupManifestError.self, "\(what)") { try BackupManifest.decode(manifest.encoded()) }
        }
        let text = String(decoding: Self.manifest(cells: []).encoded(), as: UTF8.self)
        let unknown = Array(text.replacingOccurrences(of: "\"began\"", with: "\"begun\"").utf8)
        #expect(throws: BackupManifestError.self) { try BackupManifest.decode(unknown) }
        let encoded = Self.manifest(cells: [Self.entry("a")]).encoded()
        for length in [0, 1, encoded.count / 2, encoded.count - 3] {
            #expect(throws: BackupManifestError.self) { try BackupManifest.decode(Array(encoded.prefix(length))) }
        }
    }
}
