import ColonyBackup
import ColonyStorage

extension FuzzTarget {
    /// The key the sealed inputs of the backup targets are sealed with.
    static let backupKey: StorageKey = {
        guard let key = try? StorageKey(bytes: Array(repeating: 0x5a, count: 32)) else {
            preconditionFailure("Invalid state: 32 bytes make a storage key")
        }
        return key
    }()

    /// A backup's cell files, as `colony backup verify` and `colony restore` decode them once
    /// their checksum matched: plain ones (whose body the mutations reach) and sealed ones.
    public static func backupCell() -> FuzzTarget {
        FuzzTarget(
            name: "backup-cell", summary: "a backup's cell files, plain and sealed, decoded and checked",
            corpus: backupCellCorpus, decode: decodeBackupCell)
    }

    /// Backup manifests, read strictly and checked.
    public static func backupManifest() -> FuzzTarget {
        FuzzTarget(
            name: "backup-manifest", summary: "backup manifests (strict JSON), read and checked",
            corpus: backupManifestCorpus, mutate: mutateJSON, decode: decodeBackupManifest)
    }

    @Sendable static func decodeBackupCell(_ bytes: [UInt8]) -> FuzzOutcome {
        // The sealing byte says which key the file wants; the decoder must refuse the other case itself.
        let sealer = Sealer(key: bytes.count > 10 && bytes[10] == 1 ? backupKey : nil)
        guard let (archive, backupID) = try? CellArchive.decode(bytes, sealer: sealer) else { return .refused }
        guard CellArchive.keysAscend(archive.items),
              archive.items.allSatisfy({ $0.version <= archive.revision })
        else { return .violated("a decoded cell file holds keys out of order or versions above its revision") }
        let again = archive.encoded(backupID: backupID, sealer: sealer, nonce: Array(repeating: 3, count: Sealer.nonceBytes))
        guard let decoded = try? CellArchive.decode(again, sealer: sealer), decoded.archive == archive, decoded.backupID == backupID else {
            return .violated("a decoded cell file does not survive a round trip")
        }
        return .decoded
    }

    @Sendable static func decodeBackupManifest(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let manifest = try? BackupManifest.decode(bytes) else { return .refused }
        guard let again = try? BackupManifest.decode(manifest.encoded()), again == manifest else {
            return .violated("a valid manifest does not survive a round trip")
        }
        return .decoded
    }

    static var backupCellCorpus: [[UInt8]] {
        let backupID = Array(0..<UInt8(BackupID.bytes))
        let archives = [
            CellArchive(cell: "vol-7", revision: 9, items: [
                .init(key: "attached-to", value: Array("i-0abc".utf8), version: 3), .init(key: "size", value: Array("100".utf8), version: 9),
            ]),
            CellArchive(cell: "tenant/42", revision: 0, items: []),
            CellArchive(cell: "é日", revision: 1 << 40, items: [.init(key: "🦀", value: [0, 255], version: 1 << 40)]),
        ]
        let plain = archives.map { $0.encoded(backupID: backupID, sealer: Sealer(key: nil), nonce: Array(repeating: 0, count: Sealer.nonceBytes)) }
        let sealed = archives.prefix(1).map { $0.encoded(backupID: backupID, sealer: Sealer(key: backupKey), nonce: Array(repeating: 1, count: Sealer.nonceBytes)) }
        return plain + sealed
    }

    static var backupManifestCorpus: [[UInt8]] {
        let cell = BackupManifest.Cell(
            cell: "vol-7", file: BackupFormat.cellFileName(2), revision: 9, keys: 2, fileBytes: 80, sha256: String(repeating: "0f", count: 32),
            quota: .init(keysMax: 1000, bytesMax: 1 << 20, valueBytesMax: 16384), placement: .init(replicas: 3, nearZone: "z1", color: "default"))
        var directory = cell
        directory.cell = "_directory"
        directory.file = BackupFormat.cellFileName(1)
        directory.placement = nil
        let backupID = Array(0..<UInt8(BackupID.bytes))
        let manifests = [
            BackupManifest(
                backupID: BackupHex.encode(backupID), colony: .init(caSHA256: String(repeating: "ab", count: 32), nodes: 9), began: "2026-12-06T20:00:00Z",
                ended: "2026-12-06T20:00:03Z", encrypted: true, keyCheck: BackupKeyCheck.make(backupID: backupID, sealer: Sealer(key: backupKey)),
                cells: [directory, cell]),
            BackupManifest(
                backupID: BackupHex.encode(backupID), colony: .init(caSHA256: nil, nodes: 0), began: "", ended: "", encrypted: false, keyCheck: nil, cells: []),
        ]
        return manifests.map { $0.encoded() }
    }
}
