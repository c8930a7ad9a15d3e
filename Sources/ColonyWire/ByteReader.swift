import ColonyCore

/// Reads an encoding from untrusted bytes, one checked step at a time.
///
/// Every read first checks that enough bytes remain, every length is checked against a named
/// limit and against the remaining bytes before anything is allocated, and every failure is a
/// `WireError` carrying the field being read and its byte offset. Loops are bounded by counts
/// that were checked against the input's size, so no input can make a read run forever.
public struct ByteReader: Sendable {
    /// The longest varint accepted, in bytes: enough for any `UInt64`.
    public static let varintBytesMax = 10

    /// The maxima this reader enforces.
    public let limits: WireLimits
    private let bytes: ArraySlice<UInt8>
    private var cursor: Int
    private var elementsDeclared = 0

    /// Reads `bytes` from their first index on; offsets in errors count from there.
    public init(_ bytes: ArraySlice<UInt8>, limits: WireLimits = .standard) {
        self.bytes = bytes
        self.limits = limits
        cursor = bytes.startIndex
    }

    /// Reads `bytes` from the start.
    public init(_ bytes: [UInt8], limits: WireLimits = .standard) {
        self.init(bytes[...], limits: limits)
    }

    /// How many bytes have been read.
    public var offset: Int { cursor - bytes.startIndex }

    /// How many bytes are left to read.
    public var remainingByteCount: Int { bytes.endIndex - cursor }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { cursor == bytes.endIndex }

    /// Throws unless every byte has been read: call it where a whole value was expected to end.
    public func finish(_ field: String) throws(WireError) {
        guard isAtEnd else {
            throw .trailingBytes(field: field, offset: offset, count: remainingByteCount)
        }
    }

    /// Reads one raw byte.
    public mutating func readByte(_ field: String) throws(WireError) -> UInt8 {
        try require(1, field)
        let byte = bytes[cursor]
        cursor += 1
        return byte
    }

    /// Reads a fixed-width integer stored least significant byte first.
    public mutating func readLittleEndian<Value: FixedWidthInteger & UnsignedInteger>(
        _ type: Value.Type, _ field: String
    ) throws(WireError) -> Value {
        let size = Value.bitWidth / 8
        try require(size, field)
        var value: Value = 0
        for index in 0..<size {
            value |= Value(bytes[cursor + index]) << (8 * index)
        }
        cursor += size
        return value
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes, refusing overflow and overlong forms.
    public mutating func readVarint(_ field: String) throws(WireError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        for index in 0..<Self.varintBytesMax {
            let byte = try readByte(field)
            let isLastPossibleByte = index == Self.varintBytesMax - 1
            // The tenth byte carries only bit 63; anything more would overflow 64 bits.
            if isLastPossibleByte, byte > 1 {
                throw .malformedVarint(field: field, offset: start)
            }
            value |= UInt64(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                // A zero final byte after others adds nothing: an overlong, second encoding.
                guard byte != 0 || index == 0 else { throw .malformedVarint(field: field, offset: start) }
                return value
            }
        }
        throw .malformedVarint(field: field, offset: start)
    }

    /// Reads a cell counter (an epoch, ballot round, slot, revision or version) written as a
    /// varint, refusing one above `CounterBounds.decodedMax`: no real cell counts that far,
    /// and the arithmetic on what a node was sent must never overflow.
    public mutating func readCounter(_ field: String) throws(WireError) -> UInt64 {
        let start = offset
        let value = try readVarint(field)
        guard value <= CounterBounds.decodedMax else {
            throw .valueOutOfRange(
                field: field, offset: start, reason: "\(value) is above \(CounterBounds.decodedMax), more than any cell counts")
        }
        return value
    }

    /// Reads a zigzag-mapped signed varint.
    public mutating func readSignedVarint(_ field: String) throws(WireError) -> Int64 {
        let raw = try readVarint(field)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads an `Int` written as a signed varint.
    public mutating func readInt(_ field: String) throws(WireError) -> Int {
        let start = offset
        let value = try readSignedVarint(field)
        guard let result = Int(exactly: value) else {
            throw .valueOutOfRange(field: field, offset: start, reason: "\(value) does not fit this platform's Int")
        }
        return result
    }

    /// Reads a count or size that is never negative (a limit), written as a signed varint.
    public mutating func readCount(_ field: String) throws(WireError) -> Int {
        let start = offset
        let value = try readInt(field)
        guard value >= 0 else {
            throw .valueOutOfRange(field: field, offset: start, reason: "\(value) is negative; it counts things")
        }
        return value
    }

    /// Reads a varint that must fit in 32 bits.
    public mutating func readVarintUInt32(_ field: String) throws(WireError) -> UInt32 {
        let start = offset
        let value = try readVarint(field)
        guard let result = UInt32(exactly: value) else {
            throw .valueOutOfRange(field: field, offset: start, reason: "\(value) does not fit in 32 bits")
        }
        return result
    }

    /// Reads a boolean byte, which must be 0 or 1.
    public mutating func readBool(_ field: String) throws(WireError) -> Bool {
        let start = offset
        switch try readByte(field) {
        case 0: return false
        case 1: return true
        case let byte: throw .invalidBool(field: field, offset: start, byte: byte)
        }
    }

    /// Reads a one-byte enum tag, which must name a known case.
    public mutating func readTag<Tag: RawRepresentable>(_ type: Tag.Type, _ field: String) throws(WireError) -> Tag
    where Tag.RawValue == UInt8 {
        let start = offset
        let byte = try readByte(field)
        guard let tag = Tag(rawValue: byte) else {
            throw .unknownTag(field: field, offset: start, tag: byte)
        }
        return tag
    }

    /// Reads a varint length, checked against the limit `limit` and against the remaining bytes
    /// (every element or byte it counts takes at least one byte of input).
    public mutating func readLength(_ field: String, limit: WireLimitName) throws(WireError) -> Int {
        let start = offset
        let length = try readVarint(field)
        let max = limits[limit]
        guard length <= UInt64(clamping: max) else {
            throw .lengthOverLimit(field: field, offset: start, length: length, limit: limit, max: max)
        }
        let count = Int(length)
        try require(count, field)
        return count
    }

    /// Reads a length-prefixed byte string of at most `limit` bytes.
    public mutating func readByteString(_ field: String, limit: WireLimitName = .valueBytesMax) throws(WireError) -> [UInt8] {
        let count = try readLength(field, limit: limit)
        let result = Array(bytes[cursor..<(cursor + count)])
        cursor += count
        return result
    }

    /// Reads a length-prefixed UTF-8 string of at most `limit` bytes, refusing invalid UTF-8.
    public mutating func readString(_ field: String, limit: WireLimitName = .stringBytesMax) throws(WireError) -> String {
        let count = try readLength(field, limit: limit)
        let start = offset
        guard let result = String(validating: bytes[cursor..<(cursor + count)], as: UTF8.self) else {
            throw .invalidUTF8(field: field, offset: start)
        }
        cursor += count
        return result
    }

    /// Reads a value by its own decoder.
    public mutating func read<Value: WireDecodable>(_ type: Value.Type) throws(WireError) -> Value {
        try Value(from: &self)
    }

    /// Reads a count, checked against `listCountMax`, the remaining bytes and the decode's
    /// `elementsTotalMax` budget, then that many elements.
    public mutating func readList<Element: WireDecodable>(_ field: String) throws(WireError) -> [Element] {
        let start = offset
        let count = try readLength(field, limit: .listCountMax)
        let declared = elementsDeclared + count
        guard declared <= limits.elementsTotalMax else {
            throw .lengthOverLimit(
                field: field, offset: start, length: UInt64(declared), limit: .elementsTotalMax, max: limits.elementsTotalMax
            )
        }
        elementsDeclared = declared
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try Element(from: &self))
        }
        return elements
    }

    private func require(_ count: Int, _ field: String) throws(WireError) {
        guard count <= remainingByteCount else {
            throw .truncated(field: field, offset: offset, neededBytes: count, remainingBytes: remainingByteCount)
        }
    }
}
