import ColonyBackup
import ColonyStorage
import Testing

/// `colony backup verify`'s checks, over files held in memory: each kind of damage to a
/// cell file is named for what it is.
@Suite("backup verification")
struct BackupVerificationTests {
    static let key = try! StorageKey(bytes: Array(repeating: 0x42, count: 32))

    /// A backup of one cell, sealed with `key` when given: its manifest and its one file.
    static func backup(key: StorageKey?) -> (manifest: BackupManifest, file: [UInt8]) {
        let sealer = Sealer(key: key)
        let file = BackupFormatTests.archive.encoded(backupID: BackupFormatTests.backupID, sealer: sealer, nonce: BackupFormatTests.nonce)
        var entry = BackupFormatTests.entry("vol-7")
        entry.fileBytes = file.count
        entry.sha256 = BackupHex.sha256(file)
        var manifest = BackupFormatTests.manifest(cells: [entry])
        manifest.encrypted = key != nil
        manifest.keyCheck = key.map { BackupKeyCheck.make(backupID: BackupFormatTests.backupID, sealer: Sealer(key: $0)) }
        return (manifest, file)
    }

    /// What `verify` says of the backup's one cell when its file reads as `read`.
    static func problem(key: StorageKey?, _ read: (BackupManifest, [UInt8]) -> BackupVerification.FileRead) throws -> String? {
        let (manifest, file) = backup(key: key)
        let verification = try BackupVerification(manifest: manifest.encoded(), sealer: Sealer(key: key))
        return verification.check(manifest.cells[0], read(manifest, file)).problem
    }

    @Test("a whole backup passes, plain and encrypted, and gives back every key")
    func whole() throws {
        for key in [nil, Self.key] {
            let (manifest, file) = Self.backup(key: key)
            let outcome = try BackupVerification(manifest: manifest.encoded(), sealer: Sealer(key: key)).check(manifest.cells[0], .bytes(file))
            #expect(outcome.problem == nil)
            #expect(outcome.archive == BackupFormatTests.archive)
        }
    }

    @Test("a missing, truncated, longer, changed or oversized file is named as such")
    func damagedFiles() throws {
        #expect(try Self.problem(key: Self.key) { _, _ in .missing }?.contains("missing") == true)
        #expect(try Self.problem(key: Self.key) { _, file in .bytes(Array(file.dropLast(5))) }?.contains("truncated") == true)
        #expect(try Self.problem(key: Self.key) { _, file in .bytes(file + [0]) }?.contains("longer than written") == true)
        #expect(try Self.problem(key: Self.key) { _, file in
            var changed = file
            changed[30] ^= 0xff
            return .bytes(changed)
        }?.contains("SHA-256") == true)
        #expect(try Self.problem(key: Self.key) { _, _ in .tooLarge(bytes: 1 << 30) }?.contains("more than any cell's") == true)
    }

    @Test("a file with a matching checksum in the manifest but another backup's id, cell or revision is refused")
    func forgedManifest() throws {
        let sealer = Sealer(key: Self.key)
        let (manifest, _) = Self.backup(key: Self.key)
        let verification = try BackupVerification(manifest: manifest.encoded(), sealer: sealer)
        let otherBackup = BackupFormatTests.archive.encoded(backupID: Array(repeating: 9, count: 16), sealer: sealer, nonce: BackupFormatTests.nonce)
        var otherCell = BackupFormatTests.archive
        otherCell.cell = "vol-8"
        let swapped = otherCell.encoded(backupID: BackupFormatTests.backupID, sealer: sealer, nonce: BackupFormatTests.nonce)
        for (file, expected) in [(otherBackup, "another backup"), (swapped, "holds cell vol-8")] {
            var entry = manifest.cells[0]
            entry.fileBytes = file.count
            entry.sha256 = BackupHex.sha256(file)
            let problem = verification.check(entry, .bytes(file)).problem
            #expect(problem?.contains(expected) == true, "\(problem ?? "no problem")")
        }
    }

    @Test("an encrypted backup without its key, with another key, or a plain one with a key, is refused before any file is read")
    func keys() throws {
        let other = try StorageKey(bytes: Array(repeating: 0x43, count: 32))
        #expect(throws: BackupVerificationError.wrongKey) { try BackupVerification(manifest: Self.backup(key: Self.key).manifest.encoded(), sealer: Sealer(key: other)) }
        let (sealed, _) = Self.backup(key: Self.key)
        #expect(throws: BackupVerificationError.keyNeeded) { try BackupVerification(manifest: sealed.encoded(), sealer: Sealer(key: nil)) }
        let (plain, _) = Self.backup(key: nil)
        #expect(throws: BackupVerificationError.keyNotNeeded) { try BackupVerification(manifest: plain.encoded(), sealer: Sealer(key: Self.key)) }
    }
}
