import ColonyCore
import ColonyJSON
import Foundation

/// What a backup holds: `manifest.json` in its folder.
///
/// The manifest names every cell, the file holding it, the revision its keys were read at,
/// how many keys it held and the SHA-256 of the file, so `colony backup verify` can check a
/// backup whole without the colony, and `colony restore` can make each cell again as it was
/// made (its quota, and its placement request when the directory recorded one). The manifest
/// itself is not encrypted: cell names and figures can be read without the key; keys and
/// values cannot.
public struct BackupManifest: Codable, Hashable, Sendable {
    /// The format version (`BackupFormat.version`).
    public var format: Int
    /// The backup's id: 32 hexadecimal digits, also sealed inside every cell file.
    public var backupID: String
    /// The colony backed up, as far as the client knows it.
    public var colony: ColonyIdentity
    /// When the backup began and ended, ISO 8601 in UTC.
    public var began: String
    /// When the last cell was read.
    public var ended: String
    /// Whether the cell files are sealed (AES-256-GCM with a key file).
    public var encrypted: Bool
    /// For an encrypted backup, 16 zero bytes sealed with its key (hexadecimal, `BackupKeyCheck`),
    /// so a wrong key is named once rather than by every file.
    public var keyCheck: String?
    /// Every cell, in name order.
    public var cells: [Cell]

    /// Makes a manifest.
    public init(backupID: String, colony: ColonyIdentity, began: String, ended: String, encrypted: Bool, keyCheck: String?, cells: [Cell]) {
        self.format = BackupFormat.version
        self.backupID = backupID
        self.colony = colony
        self.began = began
        self.ended = ended
        self.encrypted = encrypted
        self.keyCheck = keyCheck
        self.cells = cells
    }

    /// What identifies the colony a backup was taken from.
    public struct ColonyIdentity: Codable, Hashable, Sendable {
        /// The SHA-256 of the CA certificate file the client trusted (hexadecimal), or nil
        /// over plaintext: two backups of one colony carry the same.
        public var caSHA256: String?
        /// The directory's node records at the backup: how many.
        public var nodes: Int

        /// Makes an identity.
        public init(caSHA256: String?, nodes: Int) {
            self.caSHA256 = caSHA256
            self.nodes = nodes
        }
    }

    /// One cell of the backup.
    public struct Cell: Codable, Hashable, Sendable {
        /// The cell's name.
        public var cell: String
        /// The file holding its keys (`cells/00000001.cell`).
        public var file: String
        /// The revision its keys were read at.
        public var revision: UInt64
        /// How many keys it held.
        public var keys: Int
        /// The file's length in bytes.
        public var fileBytes: Int
        /// The SHA-256 of the file, hexadecimal.
        public var sha256: String
        /// The cell's quotas when it was backed up.
        public var quota: Quota
        /// How the directory asked for the cell to be placed; nil for a cell the directory
        /// does not record (the directory itself, a cell made outside the control plane).
        public var placement: PlacementAsked?

        /// Makes a cell's entry.
        public init(cell: String, file: String, revision: UInt64, keys: Int, fileBytes: Int, sha256: String, quota: Quota, placement: PlacementAsked?) {
            self.cell = cell
            self.file = file
            self.revision = revision
            self.keys = keys
            self.fileBytes = fileBytes
            self.sha256 = sha256
            self.quota = quota
            self.placement = placement
        }
    }

    /// A cell's quotas.
    public struct Quota: Codable, Hashable, Sendable {
        /// The most keys.
        public var keysMax: UInt64
        /// The most bytes of keys and values together.
        public var bytesMax: UInt64
        /// The largest value, in bytes.
        public var valueBytesMax: UInt64

        /// Makes a quota.
        public init(keysMax: UInt64, bytesMax: UInt64, valueBytesMax: UInt64) {
            self.keysMax = keysMax
            self.bytesMax = bytesMax
            self.valueBytesMax = valueBytesMax
        }
    }

    /// What a cell's creation asked of the placer.
    public struct PlacementAsked: Codable, Hashable, Sendable {
        /// Replicas: odd, 3 to 9.
        public var replicas: Int
        /// The zone of the cell's clients, if one was named.
        public var nearZone: String?
        /// The color of the cell's nodes.
        public var color: String

        /// Makes a placement request's record.
        public init(replicas: Int, nearZone: String?, color: String) {
            self.replicas = replicas
            self.nearZone = nearZone
            self.color = color
        }
    }

    /// The manifest as it is written: sorted keys, indented, ending in a newline.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            preconditionFailure("Invalid state: a manifest of strings and numbers did not encode: \(error)")
        }
    }

    /// Reads and checks a manifest: JSON with no unknown key, of this format version, every
    /// cell named validly once, every file a cell file name used once, every figure in
    /// range. The bytes are untrusted: nothing here traps.
    public static func decode(_ bytes: [UInt8]) throws(BackupManifestError) -> BackupManifest {
        guard bytes.count <= BackupFormat.manifestBytesMax else { throw .tooLarge(bytes: bytes.count) }
        let manifest: BackupManifest
        do {
            manifest = try StrictJSON.decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw .unreadable("\(error)")
        }
        try manifest.check()
        return manifest
    }

    private func check() throws(BackupManifestError) {
        guard format == BackupFormat.version else {
            throw .invalid("format version \(format); this program reads version \(BackupFormat.version)")
        }
        guard BackupHex.decode(backupID)?.count == BackupID.bytes else { throw .invalid("backupID is not 32 hexadecimal digits") }
        guard encrypted == (keyCheck != nil), keyCheck.map({ BackupHex.decode($0)?.count == BackupKeyCheck.bytes }) ?? true else {
            throw .invalid("keyCheck must be \(2 * BackupKeyCheck.bytes) hexadecimal digits exactly when the backup is encrypted")
        }
        guard colony.caSHA256.map({ BackupHex.decode($0)?.count == 32 }) ?? true else { throw .invalid("colony.caSHA256 is not 64 hexadecimal digits") }
        guard cells.count <= BackupFormat.cellsMax else { throw .invalid("\(cells.count) cells, more than \(BackupFormat.cellsMax)") }
        var names: Set<String> = []
        var files: Set<String> = []
        for cell in cells {
            try cell.check()
            guard names.insert(cell.cell).inserted else { throw .invalid("cell \(cell.cell) is listed twice") }
            guard files.insert(cell.file).inserted else { throw .invalid("file \(cell.file) is listed twice") }
        }
    }
}

extension BackupManifest.Cell {
    fileprivate func check() throws(BackupManifestError) {
        do {
            _ = try CellID(validating: cell)
        } catch {
            throw .invalid("the cell name \"\(cell)\" is not valid: \(error)")
        }
        guard BackupFormat.isCellFileName(file) else { throw .invalid("cell \(cell): \"\(file)\" is not a cell file name (cells/NNNNNNNN.cell)") }
        guard keys >= 0, keys <= CellLimits.ceiling.keysMax else { throw .invalid("cell \(cell): \(keys) keys, outside 0...\(CellLimits.ceiling.keysMax)") }
        guard revision <= CounterBounds.decodedMax else { throw .invalid("cell \(cell): revision \(revision) is above any a cell reaches") }
        guard fileBytes > 0, fileBytes <= BackupFormat.cellFileBytesMax else {
            throw .invalid("cell \(cell): a file of \(fileBytes) bytes, outside 1...\(BackupFormat.cellFileBytesMax)")
        }
        guard BackupHex.decode(sha256)?.count == 32 else { throw .invalid("cell \(cell): sha256 is not 64 hexadecimal digits") }
        if let placement {
            guard placement.replicas % 2 == 1, (3...9).contains(placement.replicas) else {
                throw .invalid("cell \(cell): \(placement.replicas) replicas; a cell has an odd number from 3 to 9")
            }
        }
    }
}

/// Why a manifest was refused.
public enum BackupManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The manifest is larger than any backup's.
    case tooLarge(bytes: Int)
    /// It is not JSON of the manifest's shape.
    case unreadable(String)
    /// It is, but something in it is out of range or inconsistent.
    case invalid(String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes):
            return "the manifest is \(bytes) bytes, more than any backup's (\(BackupFormat.manifestBytesMax))"
        case .unreadable(let reason):
            return "the manifest is not readable: \(reason)"
        case .invalid(let reason):
            return "the manifest is not valid: \(reason)"
        }
    }
}
