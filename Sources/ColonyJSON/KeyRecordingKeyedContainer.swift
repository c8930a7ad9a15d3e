/// A JSON object's container that records every key the type asks for (see `StrictJSON`)
/// and says, when a value is of the wrong kind, what was expected and what was found.
struct KeyRecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<Key>
    let ledger: KeyLedger

    var codingPath: [any CodingKey] { base.codingPath }

    /// Listing the keys accepts them all: the type reads whatever is there.
    var allKeys: [Key] {
        let keys = base.allKeys
        for key in keys { ask(key) }
        return keys
    }

    func contains(_ key: Key) -> Bool {
        ask(key)
        return base.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        ask(key)
        return try base.decodeNil(forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try primitive(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try primitive(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try primitive(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try primitive(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try primitive(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try primitive(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try primitive(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try primitive(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try primitive(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try primitive(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try primitive(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try primitive(type, key) }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        ask(key)
        if KeyRecordingDecoder.isDecodedWhole(type) { return try base.decode(type, forKey: key) }
        return try Value(from: try nested(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        ask(key)
        return try nested(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        ask(key)
        return try nested(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        KeyRecordingDecoder(base: try base.superDecoder(), ledger: ledger)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ask(key)
        return try nested(key)
    }

    private func ask(_ key: Key) {
        ledger.asked(key.stringValue, at: codingPath)
    }

    /// A recording decoder for the value under `key`, which must be present.
    private func nested(_ key: Key) throws -> KeyRecordingDecoder {
        guard base.contains(key) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return KeyRecordingDecoder(base: try base.superDecoder(forKey: key), ledger: ledger)
    }

    /// Reads a primitive value; a wrong one is reported with what was found instead.
    private func primitive<Value: Decodable>(_ type: Value.Type, _ key: Key) throws -> Value {
        ask(key)
        do {
            return try base.decode(type, forKey: key)
        } catch DecodingError.keyNotFound(let missing, let context) {
            throw DecodingError.keyNotFound(missing, context)
        } catch {
            let found = try? base.decode(FoundJSONValue.self, forKey: key)
            throw UnexpectedValue(path: codingPath + [key], expected: ExpectedValue.describe(type), found: found?.description)
        }
    }
}
