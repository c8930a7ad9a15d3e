import ColonyCore

// The encodings of the standard library shapes Colony's values are built from: byte strings
// (`Bytes`), optionals and results. Lists are written with `ByteWriter.writeList` and read with
// `ByteReader.readList`, which check their counts.

/// `Bytes` (a stored value) is a varint length and the bytes, at most `valueBytesMax` of them.
extension Array: WireEncodable where Element == UInt8 {
    /// Appends the bytes as a length-prefixed byte string.
    public func encode(into writer: inout ByteWriter) {
        writer.writeByteString(self)
    }
}

extension Array: WireDecodable where Element == UInt8 {
    /// Reads a length-prefixed byte string of at most `valueBytesMax` bytes.
    public init(from reader: inout ByteReader) throws(WireError) {
        self = try reader.readByteString("Bytes", limit: .valueBytesMax)
    }
}

/// An optional is a presence byte, 0 or 1, then the value when present.
extension Optional: WireEncodable where Wrapped: WireEncodable {
    /// Appends the presence byte and, when present, the value.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .none:
            writer.writeBool(false)
        case .some(let value):
            writer.writeBool(true)
            value.encode(into: &writer)
        }
    }
}

extension Optional: WireDecodable where Wrapped: WireDecodable {
    /// Reads the presence byte and, when it is 1, the value.
    public init(from reader: inout ByteReader) throws(WireError) {
        self = try reader.readBool("Optional") ? try Wrapped(from: &reader) : nil
    }
}

/// A result is a `ResultTag` then the success or the failure.
extension Result: WireEncodable where Success: WireEncodable, Failure: WireEncodable {
    /// Appends the tag and the success or failure value.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .success(let value):
            writer.writeTag(ResultTag.success)
            value.encode(into: &writer)
        case .failure(let error):
            writer.writeTag(ResultTag.failure)
            error.encode(into: &writer)
        }
    }
}

extension Result: WireDecodable where Success: WireDecodable, Failure: WireDecodable {
    /// Reads the tag and the success or failure value.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(ResultTag.self, "Result") {
        case .success: self = .success(try Success(from: &reader))
        case .failure: self = .failure(try Failure(from: &reader))
        }
    }
}

extension ByteWriter {
    /// Appends an optional varint: a presence byte, then the number when present.
    public mutating func writeOptionalVarint(_ value: UInt64?) {
        writeBool(value != nil)
        if let value {
            writeVarint(value)
        }
    }
}

extension ByteReader {
    /// Reads an optional varint: a presence byte, then the number when it is 1.
    public mutating func readOptionalVarint(_ field: String) throws(WireError) -> UInt64? {
        try readBool(field) ? try readVarint(field) : nil
    }
}
