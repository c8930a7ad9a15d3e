/// Builds an encoding by appending to a byte array; see `WireEncodable` for the format.
///
/// Writing never fails: every value has an encoding. Limits are the reader's business.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Makes an empty writer.
    public init() {
        bytes = []
    }

    /// Makes an empty writer with room for `capacity` bytes before it grows.
    public init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one raw byte.
    public mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends `value` as `Value.bitWidth / 8` bytes, least significant first.
    public mutating func writeLittleEndian<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value) {
        for index in 0..<(Value.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    /// Replaces the `Value.bitWidth / 8` bytes at `offset`, which were written before, with
    /// `value`, least significant first: for a length known only once what follows is written.
    public mutating func overwriteLittleEndian<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value, at offset: Int) {
        precondition(offset >= 0 && offset + Value.bitWidth / 8 <= bytes.count, "Invalid state: overwriting bytes not yet written")
        for index in 0..<(Value.bitWidth / 8) {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    /// Appends `value` as an unsigned LEB128 varint of 1 to 10 bytes, the shortest that holds it.
    public mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Appends `value` zigzag-mapped (0, -1, 1, -2 … become 0, 1, 2, 3 …) as a varint.
    public mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends an `Int` as a signed varint.
    public mutating func writeInt(_ value: Int) {
        writeSignedVarint(Int64(value))
    }

    /// Appends a boolean as one byte, 0 or 1.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Appends a varint length followed by the bytes.
    public mutating func writeByteString(_ value: some Collection<UInt8>) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a varint length followed by the string's UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        writeByteString(value.utf8)
    }

    /// Appends an enum tag from the tables in `WireTags.swift`.
    public mutating func writeTag<Tag: RawRepresentable>(_ tag: Tag) where Tag.RawValue == UInt8 {
        bytes.append(tag.rawValue)
    }

    /// Appends a value's own encoding.
    public mutating func write(_ value: some WireEncodable) {
        value.encode(into: &self)
    }

    /// Appends a varint count followed by each element's encoding, in order.
    public mutating func writeList<Element: WireEncodable>(_ elements: some Collection<Element>) {
        writeVarint(UInt64(elements.count))
        for element in elements {
            element.encode(into: &self)
        }
    }
}
