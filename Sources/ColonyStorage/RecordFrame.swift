import ColonyCore

/// The frame of one WAL record, as laid out in a segment:
///
/// | field | size |
/// |---|---|
/// | magic `CREC` | 4 |
/// | log sequence number | 8 |
/// | cell name length | 1 |
/// | cell name (UTF-8) | 1–128 |
/// | payload length | 4 |
/// | CRC32C of everything above | 4 |
/// | payload (an encoded `DurableRecord`, sealed when a key is set) | n |
/// | CRC32C of the payload | 4 |
///
/// The header has its own checksum, so a damaged payload still names its cell and its end,
/// and the magic lets a reader find the next record after a damaged header. Every flush
/// ends with a `CommitMarker`, which this reader also finds.
enum RecordFrame {
    static let magic: UInt32 = 0x4345_5243
    static let payloadBytesMax = 64 * 1024 * 1024
    /// The largest log sequence number a record, segment or snapshot may carry: beyond any
    /// log's life (2⁶² records), so a larger one is damage, and the numbers next to a valid
    /// one (the record before, the record after) never overflow.
    static let lsnMax: UInt64 = 1 << 62
    static let fixedHeaderBytes = 4 + 8 + 1 + 4 + 4
    static let trailerBytes = 4

    /// A record read back.
    struct Frame {
        var lsn: UInt64
        var cell: CellID
        var payload: ArraySlice<UInt8>
        var start: Int
        var end: Int
    }

    /// What is found at an offset of a segment.
    enum Read {
        /// A whole, intact record.
        case record(Frame)
        /// The bytes end exactly here.
        case end
        /// The bytes end inside a frame.
        case incomplete
        /// No intact header here.
        case badHeader
        /// An intact header whose payload does not match its checksum.
        case badPayload(lsn: UInt64, cell: CellID, end: Int)
        /// An intact commit marker, the end of a flush, ending at `end`.
        case commit(CommitMarker, end: Int)
    }

    /// The bytes of one record.
    static func encode(lsn: UInt64, cell: CellID, payload: [UInt8]) -> [UInt8] {
        let name = Array(cell.name.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fixedHeaderBytes + name.count + payload.count + trailerBytes)
        bytes.appendLittleEndian(magic)
        bytes.appendLittleEndian(lsn)
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        bytes.append(contentsOf: payload)
        bytes.appendLittleEndian(CRC32C.checksum(payload))
        return bytes
    }

    /// The header bytes a sealed payload is bound to.
    static func context(lsn: UInt64, cell: CellID) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(lsn)
        bytes.append(contentsOf: cell.name.utf8)
        return bytes
    }

    /// Reads the record at `offset` of `bytes`.
    static func read(_ bytes: [UInt8], at offset: Int) -> Read {
        if offset == bytes.count { return .end }
        guard let found = bytes.littleEndian(UInt32.self, at: offset) else { return .incomplete }
        if found == CommitMarker.magic {
            switch CommitMarker.read(bytes, at: offset) {
            case .marker(let marker): return .commit(marker, end: offset + CommitMarker.byteCount)
            case .incomplete: return .incomplete
            case .bad: return .badHeader
            }
        }
        guard found == magic else { return .badHeader }
        guard let lsn = bytes.littleEndian(UInt64.self, at: offset + 4), offset + 12 < bytes.count else { return .incomplete }
        let nameLength = Int(bytes[offset + 12])
        guard nameLength >= 1, nameLength <= CellID.bytesMax else { return .badHeader }
        let lengthOffset = offset + 13 + nameLength
        guard let payloadLength = bytes.littleEndian(UInt32.self, at: lengthOffset),
              let headerChecksum = bytes.littleEndian(UInt32.self, at: lengthOffset + 4)
        else { return .incomplete }
        guard CRC32C.checksum(bytes[offset..<(lengthOffset + 4)]) == headerChecksum else { return .badHeader }
        guard Int(payloadLength) <= payloadBytesMax, (1...lsnMax).contains(lsn),
              let cell = try? CellID(validating: String(decoding: bytes[(offset + 13)..<lengthOffset], as: UTF8.self))
        else { return .badHeader }
        let payloadStart = lengthOffset + 8
        let payloadEnd = payloadStart + Int(payloadLength)
        guard let payloadChecksum = bytes.littleEndian(UInt32.self, at: payloadEnd) else { return .incomplete }
        let payload = bytes[payloadStart..<payloadEnd]
        guard CRC32C.checksum(payload) == payloadChecksum else {
            return .badPayload(lsn: lsn, cell: cell, end: payloadEnd + trailerBytes)
        }
        return .record(Frame(lsn: lsn, cell: cell, payload: payload, start: offset, end: payloadEnd + trailerBytes))
    }

    /// The offset of the next frame after `offset` whose header checksum holds (a record's,
    /// or a commit marker when `markers` is set), if any: where reading resumes after a
    /// damaged header.
    static func nextIntactHeader(in bytes: [UInt8], after offset: Int, markers: Bool = true) -> Int? {
        var candidate = offset + 1
        while candidate + CommitMarker.byteCount <= bytes.count {
            if bytes[candidate] == 0x43 {
                switch read(bytes, at: candidate) {
                case .record, .badPayload:
                    return candidate
                case .commit where markers:
                    return candidate
                case .commit, .badHeader, .end, .incomplete:
                    break
                }
            }
            candidate += 1
        }
        return nil
    }
}
