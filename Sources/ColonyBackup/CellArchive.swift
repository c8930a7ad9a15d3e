import ColonyCore
import ColonyStorage
import ColonyWire

/// One cell of a backup: its keys with their values and versions, as its leader read them at
/// one revision, and the file that holds them.
///
/// | bytes | what |
/// |---|---|
/// | 8 | `CLNYBKCL` |
/// | 2 | format version, little-endian (`BackupFormat.version`) |
/// | 1 | 0: plain; 1: sealed with AES-256-GCM |
/// | 12 | the nonce (zeros when plain) |
/// | rest | the body; sealed, the ciphertext and its 16-byte tag, the 23 bytes above authenticated with it |
///
/// The body: the backup's id (16 bytes), the cell's name, its revision, then the count of
/// keys and each key, value and version, keys in ascending order (ColonyWire's encodings). The
/// id and the name inside the sealed body tie the file to its backup and its cell, so a file
/// swapped in from another backup or under another cell's name is refused.
public struct CellArchive: Hashable, Sendable {
    /// One key as the cell held it.
    public struct Item: Hashable, Sendable {
        /// The key.
        public var key: String
        /// Its value.
        public var value: [UInt8]
        /// The revision of the change that last wrote it.
        public var version: UInt64

        /// Makes an item.
        public init(key: String, value: [UInt8], version: UInt64) {
            self.key = key
            self.value = value
            self.version = version
        }
    }

    /// The cell.
    public var cell: String
    /// The revision its keys were read at.
    public var revision: UInt64
    /// Its keys, in ascending order.
    public var items: [Item]

    /// Makes an archive; `items` must be in ascending key order, as a cell lists them.
    public init(cell: String, revision: UInt64, items: [Item]) {
        self.cell = cell
        self.revision = revision
        self.items = items
    }

    /// Whether the keys ascend by their UTF-8 bytes, as a cell orders them (`Key`), each once:
    /// Swift's own `String` order would take canonically equivalent keys (`é` and `e` with
    /// a combining accent, two keys of a cell) for one.
    public static func keysAscend(_ items: [Item]) -> Bool {
        zip(items, items.dropFirst()).allSatisfy { Key($0.key) < Key($1.key) }
    }

    /// The bytes of keys and values together, as the cell counts them against its quota.
    public var byteCount: Int { items.reduce(0) { $0 + $1.key.utf8.count + $1.value.count } }

    static let magic = Array("CLNYBKCL".utf8)
    static let headerBytes = magic.count + 2 + 1 + Sealer.nonceBytes

    /// The file's bytes for the backup `backupID` (16 bytes), sealed with `sealer` under
    /// `nonce` (12 bytes, drawn anew for every file) when it holds a key.
    public func encoded(backupID: [UInt8], sealer: Sealer, nonce: [UInt8]) -> [UInt8] {
        precondition(backupID.count == BackupID.bytes && nonce.count == Sealer.nonceBytes, "Invalid state: a backup id or nonce of the wrong size")
        precondition(Self.keysAscend(items), "Invalid state: a cell archive's keys out of order")
        var header = ByteWriter(reservingCapacity: Self.headerBytes)
        for byte in Self.magic { header.writeByte(byte) }
        header.writeLittleEndian(UInt16(BackupFormat.version))
        header.writeByte(sealer.isSealing ? 1 : 0)
        for byte in sealer.isSealing ? nonce : Array(repeating: 0, count: Sealer.nonceBytes) { header.writeByte(byte) }
        var body = ByteWriter(reservingCapacity: 64 + byteCount + items.count * 8)
        for byte in backupID { body.writeByte(byte) }
        body.writeString(cell)
        body.writeVarint(revision)
        body.writeVarint(UInt64(items.count))
        for item in items {
            body.writeString(item.key)
            body.writeByteString(item.value)
            body.writeVarint(item.version)
        }
        return header.bytes + sealer.seal(body.bytes, nonce: nonce, context: header.bytes)
    }

    /// Reads a file `encoded` made, refusing anything else with a `CellArchiveError`; never
    /// traps, whatever the bytes. `sealer` must hold the key the file was sealed with.
    public static func decode(_ bytes: [UInt8], sealer: Sealer) throws(CellArchiveError) -> (archive: CellArchive, backupID: [UInt8]) {
        guard bytes.count >= headerBytes else { throw .truncated(bytes: bytes.count, headerBytes: headerBytes) }
        guard bytes.starts(with: magic) else { throw .notACellFile }
        let version = Int(bytes[8]) | Int(bytes[9]) << 8
        guard version == BackupFormat.version else { throw .unsupportedVersion(version) }
        let sealed: Bool
        switch bytes[10] {
        case 0: sealed = false
        case 1: sealed = true
        default: throw .unknownSealing(bytes[10])
        }
        guard sealed == sealer.isSealing else { throw sealed ? .sealedButNoKey : .plainButKeyGiven }
        let header = Array(bytes[0..<headerBytes])
        let nonce = Array(bytes[11..<headerBytes])
        guard let body = sealer.open(bytes[headerBytes...], nonce: nonce, context: header) else { throw .cannotOpen }
        do {
            return try decodeBody(body)
        } catch {
            throw .malformed(error)
        }
    }

    private static func decodeBody(_ body: ArraySlice<UInt8>) throws(WireError) -> (archive: CellArchive, backupID: [UInt8]) {
        var reader = ByteReader(body)
        var backupID: [UInt8] = []
        for _ in 0..<BackupID.bytes { backupID.append(try reader.readByte("CellArchive.backupID")) }
        let cell = try reader.readString("CellArchive.cell")
        let revision = try reader.readCounter("CellArchive.revision")
        let count = try reader.readLength("CellArchive.count", limit: .listCountMax)
        var items: [Item] = []
        items.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let key = try reader.readString("CellArchive.key", limit: .keyBytesMax)
            if let last = items.last, !(Key(last.key) < Key(key)) {
                throw .notCanonical(field: "CellArchive.key", offset: start, reason: "key \"\(key)\" follows \"\(last.key)\": keys must ascend")
            }
            let value = try reader.readByteString("CellArchive.value")
            let version = try reader.readCounter("CellArchive.version")
            guard version <= revision else {
                throw .valueOutOfRange(field: "CellArchive.version", offset: start, reason: "key \"\(key)\" has version \(version), above the cell's revision \(revision)")
            }
            items.append(Item(key: key, value: value, version: version))
        }
        try reader.finish("CellArchive")
        return (CellArchive(cell: cell, revision: revision, items: items), backupID)
    }
}

/// Why a cell file could not be read.
public enum CellArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is shorter than its header.
    case truncated(bytes: Int, headerBytes: Int)
    /// The file does not start as a cell file does.
    case notACellFile
    /// The file is of a format version this program does not read.
    case unsupportedVersion(Int)
    /// The sealing byte names no known way of sealing.
    case unknownSealing(UInt8)
    /// The file is sealed and no key was given.
    case sealedButNoKey
    /// A key was given and the file is not sealed.
    case plainButKeyGiven
    /// The sealed body does not open with the key given: another key, or changed bytes.
    case cannotOpen
    /// The body does not decode.
    case malformed(WireError)

    public var description: String {
        switch self {
        case .truncated(let bytes, let headerBytes):
            return "the file is truncated: \(bytes) bytes, shorter than the \(headerBytes)-byte header"
        case .notACellFile:
            return "the file is not a Colony backup cell file (it does not start with CLNYBKCL)"
        case .unsupportedVersion(let version):
            return "the file is of format version \(version); this program reads version \(BackupFormat.version)"
        case .unknownSealing(let byte):
            return "the file's sealing byte is \(byte), neither 0 (plain) nor 1 (AES-256-GCM)"
        case .sealedButNoKey:
            return "the file is encrypted: give the backup's key file with --key-file"
        case .plainButKeyGiven:
            return "the file is not encrypted, yet a key file was given"
        case .cannotOpen:
            return "the file does not decrypt with the key given: another key, or bytes changed since it was written"
        case .malformed(let error):
            return "the file does not decode: \(error)"
        }
    }
}

/// The id of one backup: 16 random bytes, written in the manifest and inside every cell file.
public enum BackupID {
    /// Its length.
    public static let bytes = 16
}
