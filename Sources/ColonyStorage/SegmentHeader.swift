import ColonyCore

/// The header at the start of every WAL segment file `wal-<first LSN, 16 hex digits>.seg`:
///
/// | field | size |
/// |---|---|
/// | magic `CLNYWAL1` | 8 |
/// | format version (the writer's `FormatLevel.segmentVersion`: 1 at level 1) | 2 |
/// | flags (bit 0: sealed) | 2 |
/// | reserved, zero | 4 |
/// | first log sequence number | 8 |
/// | salt (the first half of every record's nonce) | 8 |
/// | key check: 16 zero bytes sealed with the key, or 32 zero bytes | 32 |
/// | CRC32C of everything above | 4 |
/// | reserved, zero | 4 |
struct SegmentHeader: Equatable {
    static let magic = Array("CLNYWAL1".utf8)
    static let byteCount = 72
    static let namePrefix = "wal-"
    static let nameSuffix = ".seg"

    var firstLSN: UInt64
    var salt: UInt64
    var isSealed: Bool
    var keyCheck: [UInt8]
    /// The format level the segment is written in.
    var level: FormatLevel

    /// A new header of a segment in the formats of `level`; with a key, the key check proves
    /// later that the same key is in use.
    init(firstLSN: UInt64, salt: UInt64, sealer: Sealer, level: FormatLevel) {
        self.level = level
        self.firstLSN = firstLSN
        self.salt = salt
        self.isSealed = sealer.isSealing
        self.keyCheck = sealer.isSealing
            ? sealer.seal(Array(repeating: 0, count: 16), nonce: Self.nonce(salt: salt, index: UInt32.max), context: Self.magic)
            : Array(repeating: 0, count: 32)
    }

    private init(firstLSN: UInt64, salt: UInt64, isSealed: Bool, keyCheck: [UInt8], level: FormatLevel) {
        self.level = level
        self.firstLSN = firstLSN
        self.salt = salt
        self.isSealed = isSealed
        self.keyCheck = keyCheck
    }

    static func fileName(firstLSN: UInt64) -> String {
        let digits = String(firstLSN, radix: 16)
        return namePrefix + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + nameSuffix
    }

    /// The first LSN a segment file name announces, or nil if it is not a segment name: one
    /// this log writes, so no two names announce the same LSN and the LSN is a valid one.
    static func firstLSN(ofFileNamed name: String) -> UInt64? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(nameSuffix) else { return nil }
        let digits = name.dropFirst(namePrefix.count).dropLast(nameSuffix.count)
        guard digits.count == 16, let lsn = UInt64(digits, radix: 16), (1...RecordFrame.lsnMax).contains(lsn),
              fileName(firstLSN: lsn) == name
        else { return nil }
        return lsn
    }

    /// The nonce of record number `index` of a segment (or of its key check).
    static func nonce(salt: UInt64, index: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(salt)
        bytes.appendLittleEndian(index)
        return bytes
    }

    var bytes: [UInt8] {
        var bytes = Self.magic
        bytes.appendLittleEndian(level.segmentVersion)
        bytes.appendLittleEndian(UInt16(isSealed ? 1 : 0))
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(firstLSN)
        bytes.appendLittleEndian(salt)
        bytes.append(contentsOf: keyCheck)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        bytes.appendLittleEndian(UInt32(0))
        return bytes
    }

    /// Why a header could not be read.
    enum Problem: Error, Equatable {
        case damaged(String)
        case unsupportedVersion(UInt16)
    }

    /// Reads a header from the start of a segment, of one of the format levels `read`.
    static func read(_ bytes: [UInt8], read: ClosedRange<FormatLevel>) -> Result<SegmentHeader, Problem> {
        guard bytes.count >= byteCount else { return .failure(.damaged("shorter than a segment header")) }
        guard Array(bytes[0..<8]) == magic else { return .failure(.damaged("no segment magic")) }
        guard bytes.littleEndian(UInt32.self, at: 64) == CRC32C.checksum(bytes[0..<64]) else {
            return .failure(.damaged("segment header checksum mismatch"))
        }
        let version = bytes.littleEndian(UInt16.self, at: 8) ?? 0
        guard let level = FormatLevel.ofSegment(version), read.contains(level) else {
            return .failure(.unsupportedVersion(version))
        }
        let flags = bytes.littleEndian(UInt16.self, at: 10) ?? 0
        guard let firstLSN = bytes.littleEndian(UInt64.self, at: 16), (1...RecordFrame.lsnMax).contains(firstLSN) else {
            return .failure(.damaged("the first log sequence number is out of range"))
        }
        return .success(SegmentHeader(
            firstLSN: firstLSN, salt: bytes.littleEndian(UInt64.self, at: 24) ?? 0,
            isSealed: flags & 1 == 1, keyCheck: Array(bytes[32..<64]), level: level))
    }

    /// Whether `sealer` holds the key this segment was written with.
    func matches(_ sealer: Sealer) -> Bool {
        guard isSealed == sealer.isSealing else { return false }
        guard isSealed else { return true }
        return sealer.open(keyCheck[...], nonce: Self.nonce(salt: salt, index: UInt32.max), context: Self.magic) != nil
    }
}
