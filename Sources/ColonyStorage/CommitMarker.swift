/// The frame that closes every flush: the batch's records are all written before it, in
/// the same write.
///
/// | field | size |
/// |---|---|
/// | magic `CCMT` | 4 |
/// | first log sequence number of the batch | 8 |
/// | last log sequence number of the batch | 8 |
/// | CRC32C of everything above | 4 |
///
/// It is what lets recovery tell a torn write from damage. A batch is acknowledged only
/// after its fsync, and a write tears only at its end: so a record that fails its checksum
/// with an intact frame after it (its batch's marker, or a later batch) was written whole,
/// and may have been synced and acknowledged. That is damage to data at rest, never a torn
/// write to cut away. Only bad bytes with no intact frame after them, at the end of the
/// newest segment, are a torn tail. (If the last batch's marker and one of its records
/// were both damaged, the batch would pass for torn: one damaged stretch is told apart,
/// two in the same last batch are not.) The marker also names the batch's last record, so
/// records lost at the very end of a batch show as a gap even with no record after them.
struct CommitMarker: Equatable {
    static let magic: UInt32 = 0x544D_4343
    static let byteCount = 4 + 8 + 8 + 4

    var firstLSN: UInt64
    var lastLSN: UInt64

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        bytes.appendLittleEndian(Self.magic)
        bytes.appendLittleEndian(firstLSN)
        bytes.appendLittleEndian(lastLSN)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// What is found at an offset that starts with the marker's magic.
    enum Read {
        /// An intact marker.
        case marker(CommitMarker)
        /// The bytes end inside it.
        case incomplete
        /// Its checksum fails, or it names an impossible batch.
        case bad
    }

    /// Reads the marker at `offset` of `bytes`, whose magic the caller has checked.
    static func read(_ bytes: [UInt8], at offset: Int) -> Read {
        guard let firstLSN = bytes.littleEndian(UInt64.self, at: offset + 4),
              let lastLSN = bytes.littleEndian(UInt64.self, at: offset + 12),
              let checksum = bytes.littleEndian(UInt32.self, at: offset + 20)
        else { return .incomplete }
        guard CRC32C.checksum(bytes[offset..<(offset + 20)]) == checksum, firstLSN >= 1, firstLSN <= lastLSN,
              lastLSN <= RecordFrame.lsnMax
        else { return .bad }
        return .marker(CommitMarker(firstLSN: firstLSN, lastLSN: lastLSN))
    }
}
