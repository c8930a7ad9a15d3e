import ColonyStorage

/// `colony backup verify`, apart from any IO: the manifest checked, then every cell file
/// against its manifest entry — length, SHA-256, decryption, decoding, and the name,
/// revision, key count and backup id sealed inside it.
public struct BackupVerification: Sendable {
    /// What reading one file gave: its bytes, or why there are none.
    public enum FileRead: Sendable {
        /// The file's bytes.
        case bytes([UInt8])
        /// There is no such file.
        case missing
        /// The file is longer than `BackupFormat.cellFileBytesMax`; it was not read.
        case tooLarge(bytes: Int)
        /// Reading it failed.
        case unreadable(String)
    }

    /// One cell of a backup, checked.
    public struct CellOutcome: Sendable {
        /// Its manifest entry.
        public var entry: BackupManifest.Cell
        /// Its keys, when every check passed; nil otherwise.
        public var archive: CellArchive?
        /// What is wrong, when something is.
        public var problem: String?
    }

    /// The manifest checked.
    public let manifest: BackupManifest
    private let sealer: Sealer

    /// Checks the manifest's bytes; `sealer` holds the key the backup was encrypted with (or
    /// none for a plain one).
    public init(manifest bytes: [UInt8], sealer: Sealer) throws(BackupVerificationError) {
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.decode(bytes)
        } catch {
            throw .manifest(error)
        }
        guard manifest.encrypted == sealer.isSealing else {
            throw manifest.encrypted ? .keyNeeded : .keyNotNeeded
        }
        if let keyCheck = manifest.keyCheck, let backupID = BackupHex.decode(manifest.backupID),
           !BackupKeyCheck.opens(keyCheck, backupID: backupID, sealer: sealer) {
            throw .wrongKey
        }
        self.manifest = manifest
        self.sealer = sealer
    }

    /// Checks one cell's file, as `read` gave it.
    public func check(_ entry: BackupManifest.Cell, _ read: FileRead) -> CellOutcome {
        switch checked(entry, read) {
        case .success(let archive): CellOutcome(entry: entry, archive: archive, problem: nil)
        case .failure(let problem): CellOutcome(entry: entry, archive: nil, problem: "cell \(entry.cell) (\(entry.file)): \(problem.text)")
        }
    }

    private struct Problem: Error {
        let text: String
    }

    private func checked(_ entry: BackupManifest.Cell, _ read: FileRead) -> Result<CellArchive, Problem> {
        let bytes: [UInt8]
        switch read {
        case .bytes(let read): bytes = read
        case .missing: return .failure(Problem(text: "the file is missing"))
        case .tooLarge(let count): return .failure(Problem(text: "the file is \(count) bytes, more than any cell's (\(BackupFormat.cellFileBytesMax)); the manifest says \(entry.fileBytes)"))
        case .unreadable(let reason): return .failure(Problem(text: "the file cannot be read: \(reason)"))
        }
        guard bytes.count == entry.fileBytes else {
            let how = bytes.count < entry.fileBytes ? "truncated" : "longer than written"
            return .failure(Problem(text: "the file is \(how): \(bytes.count) bytes, the manifest says \(entry.fileBytes)"))
        }
        guard BackupHex.sha256(bytes) == entry.sha256 else {
            return .failure(Problem(text: "the file's SHA-256 is not the manifest's: its bytes changed since the backup"))
        }
        let decoded: (archive: CellArchive, backupID: [UInt8])
        do {
            decoded = try CellArchive.decode(bytes, sealer: sealer)
        } catch {
            return .failure(Problem(text: "\(error)"))
        }
        let archive = decoded.archive
        let mismatches = [
            BackupHex.encode(decoded.backupID) == manifest.backupID ? nil : "it belongs to another backup (\(BackupHex.encode(decoded.backupID)))",
            archive.cell.utf8.elementsEqual(entry.cell.utf8) ? nil : "it holds cell \(archive.cell)",
            archive.revision == entry.revision ? nil : "it holds revision \(archive.revision), the manifest says \(entry.revision)",
            archive.items.count == entry.keys ? nil : "it holds \(archive.items.count) keys, the manifest says \(entry.keys)",
        ].compactMap { $0 }
        guard mismatches.isEmpty else { return .failure(Problem(text: mismatches.joined(separator: "; "))) }
        return .success(archive)
    }
}

/// Why a backup cannot be checked at all.
public enum BackupVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The manifest is missing or cannot be read.
    case manifestUnreadable(String)
    /// The manifest is not a valid one.
    case manifest(BackupManifestError)
    /// The backup is encrypted and no key was given.
    case keyNeeded
    /// A key was given for a backup that is not encrypted.
    case keyNotNeeded
    /// The key given is not the one the backup was encrypted with.
    case wrongKey

    public var description: String {
        switch self {
        case .manifestUnreadable(let reason): reason
        case .manifest(let error): "\(error)"
        case .keyNeeded: "the backup is encrypted: give its key file with --key-file"
        case .keyNotNeeded: "the backup is not encrypted: leave out --key-file"
        case .wrongKey: "the key file given is not the key the backup was encrypted with"
        }
    }
}
