/// A JSON list's container whose elements are decoded through the key-recording decoder
/// (see `StrictJSON`).
struct KeyRecordingUnkeyedContainer: UnkeyedDecodingContainer {
    var base: any UnkeyedDecodingContainer
    let ledger: KeyLedger

    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int? { base.count }
    var isAtEnd: Bool { base.isAtEnd }
    var currentIndex: Int { base.currentIndex }

    mutating func decodeNil() throws -> Bool { try base.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try primitive(type) }
    mutating func decode(_ type: String.Type) throws -> String { try primitive(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try primitive(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try primitive(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try primitive(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try primitive(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try primitive(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try primitive(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try primitive(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try primitive(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try primitive(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try primitive(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try primitive(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try primitive(type) }

    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if KeyRecordingDecoder.isDecodedWhole(type) { return try base.decode(type) }
        return try Value(from: KeyRecordingDecoder(base: try base.superDecoder(), ledger: ledger))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try KeyRecordingDecoder(base: try base.superDecoder(), ledger: ledger).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try KeyRecordingDecoder(base: try base.superDecoder(), ledger: ledger).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        KeyRecordingDecoder(base: try base.superDecoder(), ledger: ledger)
    }

    /// Reads a primitive element; a wrong one is reported with what was found instead.
    private mutating func primitive<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let path = codingPath + [ElementKey(index: currentIndex)]
        do {
            return try base.decode(type)
        } catch {
            // A failed read leaves the element in place, so it can be looked at again.
            let found = try? base.decode(FoundJSONValue.self)
            throw UnexpectedValue(path: path, expected: ExpectedValue.describe(type), found: found?.description)
        }
    }
}

/// A single value's container; a value that is itself decodable goes back through the
/// key-recording decoder (see `StrictJSON`).
struct KeyRecordingSingleValueContainer: SingleValueDecodingContainer {
    let base: any SingleValueDecodingContainer
    let decoder: KeyRecordingDecoder

    var codingPath: [any CodingKey] { base.codingPath }

    func decodeNil() -> Bool { base.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try primitive(type) }
    func decode(_ type: String.Type) throws -> String { try primitive(type) }
    func decode(_ type: Double.Type) throws -> Double { try primitive(type) }
    func decode(_ type: Float.Type) throws -> Float { try primitive(type) }
    func decode(_ type: Int.Type) throws -> Int { try primitive(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try primitive(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try primitive(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try primitive(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try primitive(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try primitive(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try primitive(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try primitive(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try primitive(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try primitive(type) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if KeyRecordingDecoder.isDecodedWhole(type) { return try base.decode(type) }
        return try Value(from: decoder)
    }

    /// Reads a primitive value; a wrong one is reported with what was found instead.
    private func primitive<Value: Decodable>(_ type: Value.Type) throws -> Value {
        do {
            return try base.decode(type)
        } catch {
            let found = try? base.decode(FoundJSONValue.self)
            throw UnexpectedValue(path: codingPath, expected: ExpectedValue.describe(type), found: found?.description)
        }
    }
}

/// The key of a list's element in a path, as `JSONDecoder` writes it.
struct ElementKey: CodingKey {
    let index: Int

    init(index: Int) {
        self.index = index
    }

    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }

    init?(stringValue: String) {
        return nil
    }

    init?(intValue: Int) {
        self.index = intValue
    }
}
