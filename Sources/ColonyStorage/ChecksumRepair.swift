/// Recomputes the checksums of storage files a fuzzer has edited, so that its edits get
/// past the checksums to the decoders behind them (lengths, names, log sequence numbers,
/// the records' contents) instead of all being refused at the first checksum.
///
/// It follows the fields as the file declares them and stops where they run off the end,
/// as a reader does; it never judges what it reseals.
@_spi(Testing) public enum ChecksumRepair {
    /// Reseals a WAL segment: the header's checksum, then each record's header and payload
    /// checksums, walking records by their declared name and payload lengths.
    public static func resealSegment(_ bytes: inout [UInt8]) {
        guard bytes.count >= SegmentHeader.byteCount else { return }
        store(CRC32C.checksum(bytes[0..<64]), in: &bytes, at: 64)
        var offset = SegmentHeader.byteCount
        while offset + 13 <= bytes.count {
            let lengthOffset = offset + 13 + Int(bytes[offset + 12])
            guard lengthOffset + 8 <= bytes.count, let payloadLength = bytes.littleEndian(UInt32.self, at: lengthOffset) else { return }
            store(CRC32C.checksum(bytes[offset..<(lengthOffset + 4)]), in: &bytes, at: lengthOffset + 4)
            let payloadStart = lengthOffset + 8
            let payloadEnd = payloadStart + Int(payloadLength)
            guard payloadEnd + RecordFrame.trailerBytes <= bytes.count else { return }
            store(CRC32C.checksum(bytes[payloadStart..<payloadEnd]), in: &bytes, at: payloadEnd)
            offset = payloadEnd + RecordFrame.trailerBytes
        }
    }

    /// Reseals a snapshot file: the checksum of everything before its last four bytes.
    public static func resealSnapshot(_ bytes: inout [UInt8]) {
        guard bytes.count >= 4 else { return }
        store(CRC32C.checksum(bytes.dropLast(4)), in: &bytes, at: bytes.count - 4)
    }

    private static func store(_ checksum: UInt32, in bytes: inout [UInt8], at offset: Int) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index))
        }
    }
}
