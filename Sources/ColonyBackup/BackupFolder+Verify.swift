import ColonyStorage

extension BackupFolder {
    /// Reads and checks the manifest and then every cell file it names, handing each cell's
    /// outcome to `body` in the manifest's order (one file in memory at a time); throws when
    /// the manifest itself cannot be read or checked.
    public func verify(sealer: Sealer, _ body: (BackupVerification.CellOutcome) async throws -> Void) async throws -> BackupManifest {
        let verification = try verification(sealer: sealer)
        for entry in verification.manifest.cells {
            try await body(verification.check(entry, read(entry.file, bytesMax: BackupFormat.cellFileBytesMax)))
        }
        return verification.manifest
    }

    /// The manifest read and checked, ready to check files against.
    public func verification(sealer: Sealer) throws(BackupVerificationError) -> BackupVerification {
        switch read(BackupFormat.manifestName, bytesMax: BackupFormat.manifestBytesMax) {
        case .bytes(let bytes):
            return try BackupVerification(manifest: bytes, sealer: sealer)
        case .missing:
            throw .manifestUnreadable("\(path)/\(BackupFormat.manifestName) is missing: not a backup, or one that did not finish")
        case .tooLarge(let bytes):
            throw .manifest(.tooLarge(bytes: bytes))
        case .unreadable(let reason):
            throw .manifestUnreadable("\(path)/\(BackupFormat.manifestName) cannot be read: \(reason)")
        }
    }
}
