/// One-call encoding and decoding of whole values.
public enum WireCodec {
    /// The canonical encoding of `value`.
    public static func encode<Value: WireEncodable>(_ value: Value) -> [UInt8] {
        var writer = ByteWriter()
        value.encode(into: &writer)
        return writer.bytes
    }

    /// Decodes one `Value` that must span all of `bytes`; trailing bytes are an error.
    public static func decode<Value: WireDecodable>(
        _ type: Value.Type, from bytes: [UInt8], limits: WireLimits = .standard
    ) throws(WireError) -> Value {
        try decode(type, from: bytes[...], limits: limits)
    }

    /// Decodes one `Value` that must span all of `bytes`; offsets in errors count from `bytes.startIndex`.
    public static func decode<Value: WireDecodable>(
        _ type: Value.Type, from bytes: ArraySlice<UInt8>, limits: WireLimits = .standard
    ) throws(WireError) -> Value {
        var reader = ByteReader(bytes, limits: limits)
        let value = try Value(from: &reader)
        guard reader.isAtEnd else {
            throw .trailingBytes(field: String(describing: Value.self), offset: reader.offset, count: reader.remainingByteCount)
        }
        return value
    }
}
