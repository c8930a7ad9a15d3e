import ColonyCore
import ColonyWire

/// One cell's durable state in a file of its own, `snap-<cell name in hex>.snap`, written
/// atomically (a temporary file, fsync, rename, fsync of the directory):
///
/// | field | size |
/// |---|---|
/// | magic `CLNYSNP1` | 8 |
/// | format version (the writer's `FormatLevel.snapshotVersion`: 2 at level 1, which reads 1 too) | 2 |
/// | flags (bit 0: sealed) | 2 |
/// | covered log sequence number | 8 |
/// | nonce | 12 |
/// | cell name length, cell name | 1 + 1–128 |
/// | payload length | 4 |
/// | payload: an encoded `DurableCellState`, sealed when a key is set (format 1: without the tombstone) | n |
/// | CRC32C of everything above | 4 |
///
/// The state holds everything the cell's records up to the covered LSN said (the log was
/// durable that far when it was written, so no record of the cell up to there is missing): its promise,
/// its latest state-machine snapshot, and the entries it accepted after it.
struct SnapshotFile {
    static let magic = Array("CLNYSNP1".utf8)
    static let namePrefix = "snap-"
    static let nameSuffix = ".snap"

    var cell: CellID
    var coveredLSN: UInt64
    var state: DurableCellState

    static func fileName(for cell: CellID) -> String {
        namePrefix + cell.name.utf8.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined() + nameSuffix
    }

    /// The cell a snapshot file name names, or nil if it is not a snapshot name.
    static func cell(ofFileNamed name: String) -> CellID? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(nameSuffix) else { return nil }
        let digits = Array(name.dropFirst(namePrefix.count).dropLast(nameSuffix.count).utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return try? CellID(validating: String(decoding: bytes, as: UTF8.self))
    }

    /// The file's bytes in the formats of `level`.
    func encode(sealer: Sealer, nonce: [UInt8], level: FormatLevel) -> [UInt8] {
        let name = Array(cell.name.utf8)
        var bytes = Self.magic
        bytes.appendLittleEndian(level.snapshotVersion)
        bytes.appendLittleEndian(UInt16(sealer.isSealing ? 1 : 0))
        bytes.appendLittleEndian(coveredLSN)
        bytes.append(contentsOf: nonce)
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
        let payload = sealer.seal(WireCodec.encode(state), nonce: nonce, context: name)
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.append(contentsOf: payload)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Why a snapshot file could not be used.
    enum Problem: Error, Equatable {
        case damaged(String)
        case wrongKey
        /// The file verifies but is of a format this build does not read: a newer build
        /// wrote it. Not damage: the node must not start (and renew the cell from its peers)
        /// on data it merely cannot read.
        case unsupportedVersion(UInt16)
    }

    /// The snapshot `bytes` hold, if they are one of the format levels `read`. Format 1, from
    /// before cells could be deleted, lacks the tombstone at the end of the state.
    static func decode(_ bytes: [UInt8], sealer: Sealer, limits: WireLimits, read: ClosedRange<FormatLevel>) -> Result<SnapshotFile, Problem> {
        guard bytes.count >= 8 + 2 + 2 + 8 + 12 + 1 + 4 + 4, Array(bytes[0..<8]) == magic else {
            return .failure(.damaged("not a snapshot file"))
        }
        guard bytes.littleEndian(UInt32.self, at: bytes.count - 4) == CRC32C.checksum(bytes.dropLast(4)) else {
            return .failure(.damaged("checksum mismatch"))
        }
        guard let format = bytes.littleEndian(UInt16.self, at: 8) else { return .failure(.damaged("malformed header")) }
        guard let level = FormatLevel.ofSnapshot(format), read.contains(level) else { return .failure(.unsupportedVersion(format)) }
        let sealed = (bytes.littleEndian(UInt16.self, at: 10) ?? 0) & 1 == 1
        guard sealed == sealer.isSealing else { return .failure(.wrongKey) }
        guard let coveredLSN = bytes.littleEndian(UInt64.self, at: 12), coveredLSN <= RecordFrame.lsnMax else {
            return .failure(.damaged("the covered log sequence number is out of range"))
        }
        let nonce = Array(bytes[20..<32])
        let nameLength = Int(bytes[32])
        let nameEnd = 33 + nameLength
        guard nameLength >= 1, let payloadLength = bytes.littleEndian(UInt32.self, at: nameEnd),
              nameEnd + 4 + Int(payloadLength) == bytes.count - 4,
              let cell = try? CellID(validating: String(decoding: bytes[33..<nameEnd], as: UTF8.self))
        else { return .failure(.damaged("malformed header")) }
        let name = Array(bytes[33..<nameEnd])
        guard let payload = sealer.open(bytes[(nameEnd + 4)..<(bytes.count - 4)], nonce: nonce, context: name) else {
            return .failure(.wrongKey)
        }
        do {
            var reader = ByteReader(payload, limits: limits)
            let state = try DurableCellState(from: &reader, withTombstone: format >= 2)
            guard reader.isAtEnd else {
                throw WireError.trailingBytes(field: "DurableCellState", offset: reader.offset, count: reader.remainingByteCount)
            }
            return .success(SnapshotFile(cell: cell, coveredLSN: coveredLSN, state: state))
        } catch {
            return .failure(.damaged("state does not decode: \(error)"))
        }
    }
}
