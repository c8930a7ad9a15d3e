import ColonyBackup
import ColonyStorage
import Foundation
import Testing

/// `colony backup verify` run as a shell runs it, on backups written here: no colony needed.
@Suite("colony backup verify")
struct BackupVerifyCommandTests {
    /// Writes an encrypted backup of two cells into a new folder under `root`; returns the
    /// folder and the key file.
    static func writeBackup(root: String) throws -> (folder: String, keyFile: String) {
        let keyBytes = Array(repeating: UInt8(0x21), count: 32)
        let keyFile = root + "/backup.key"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try #require(FileManager.default.createFile(atPath: keyFile, contents: Data(keyBytes), attributes: [.posixPermissions: 0o600]))
        let sealer = Sealer(key: try StorageKey(bytes: keyBytes))
        let backupID = Array(repeating: UInt8(5), count: BackupID.bytes)
        let folder = BackupFolder(path: root + "/backup")
        try folder.create()
        var entries: [BackupManifest.Cell] = []
        for (index, name) in ["alpha", "beta"].enumerated() {
            let archive = CellArchive(cell: name, revision: 4, items: [.init(key: "k", value: Array(name.utf8), version: 4)])
            let bytes = archive.encoded(backupID: backupID, sealer: sealer, nonce: Array(repeating: UInt8(index), count: Sealer.nonceBytes))
            let file = BackupFormat.cellFileName(index + 1)
            try folder.write(file, bytes)
            entries.append(BackupManifest.Cell(
                cell: name, file: file, revision: 4, keys: 1, fileBytes: bytes.count, sha256: BackupHex.sha256(bytes),
                quota: .init(keysMax: 1000, bytesMax: 1 << 20, valueBytesMax: 16384), placement: .init(replicas: 3, nearZone: nil, color: "default")))
        }
        let manifest = BackupManifest(
            backupID: BackupHex.encode(backupID), colony: .init(caSHA256: nil, nodes: 3), began: "2026-12-06T20:00:00Z", ended: "2026-12-06T20:00:01Z",
            encrypted: true, keyCheck: BackupKeyCheck.make(backupID: backupID, sealer: sealer), cells: entries)
        try folder.writeManifest(manifest)
        return (folder.path, keyFile)
    }

    @Test("a whole backup checks (exit 0); a truncated file, a missing one, a wrong key or no manifest exit 2 naming what is wrong")
    func verify() async throws {
        let root = NSTemporaryDirectory() + "colony-verify-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (folder, keyFile) = try Self.writeBackup(root: root)
        let whole = try await CommandRun.run(["backup", "verify", folder, "--key-file", keyFile])
        #expect(whole.status == 0 && whole.output.contains("2 cells, 2 keys, encrypted; every file checks"), "\(whole)")

        let noKey = try await CommandRun.run(["backup", "verify", folder])
        #expect(noKey.status == 2 && noKey.errors.contains("--key-file"), "\(noKey)")
        let otherKey = root + "/other.key"
        try #require(FileManager.default.createFile(atPath: otherKey, contents: Data(repeating: 0x22, count: 32), attributes: [.posixPermissions: 0o600]))
        let wrong = try await CommandRun.run(["backup", "verify", folder, "--key-file", otherKey])
        #expect(wrong.status == 2 && wrong.errors.contains("not the key the backup was encrypted with"), "\(wrong)")

        let first = folder + "/" + BackupFormat.cellFileName(1)
        let bytes = try #require(FileManager.default.contents(atPath: first))
        try bytes.prefix(bytes.count - 7).write(to: URL(fileURLWithPath: first))
        try FileManager.default.removeItem(atPath: folder + "/" + BackupFormat.cellFileName(2))
        let damaged = try await CommandRun.run(["backup", "verify", folder, "--key-file", keyFile])
        #expect(damaged.status == 2, "\(damaged)")
        #expect(damaged.errors.contains("cell alpha (cells/00000001.cell): the file is truncated"), "\(damaged.errors)")
        #expect(damaged.errors.contains("cell beta (cells/00000002.cell): the file is missing"), "\(damaged.errors)")

        try FileManager.default.removeItem(atPath: folder + "/" + BackupFormat.manifestName)
        let unfinished = try await CommandRun.run(["backup", "verify", folder, "--key-file", keyFile])
        #expect(unfinished.status == 2 && unfinished.errors.contains("manifest.json is missing"), "\(unfinished)")
    }
}
