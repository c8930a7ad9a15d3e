import Foundation

/// A decoder over `JSONDecoder`'s own that writes down, for every JSON object, the keys it
/// holds and the keys the type being decoded asks for (see `StrictJSON`). Values are read by
/// the wrapped decoder; nested values are decoded through this one again, so every level is
/// recorded.
struct KeyRecordingDecoder: Decoder {
    let base: any Decoder
    let ledger: KeyLedger

    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let everything = try base.container(keyedBy: AnyJSONKey.self)
        ledger.present(everything.allKeys.map(\.stringValue), at: codingPath)
        return KeyedDecodingContainer(KeyRecordingKeyedContainer(base: try base.container(keyedBy: type), ledger: ledger))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        KeyRecordingUnkeyedContainer(base: try base.unkeyedContainer(), ledger: ledger)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        KeyRecordingSingleValueContainer(base: try base.singleValueContainer(), decoder: self)
    }

    /// Whether `type` is one `JSONDecoder` decodes by its own strategies (dates, data, URLs,
    /// decimals): those are read by the wrapped decoder as a whole, never through this one.
    static func isDecodedWhole(_ type: Any.Type) -> Bool {
        type == Data.self || type == Date.self || type == URL.self || type == Decimal.self
    }
}

/// Any key of a JSON object, to list them all.
struct AnyJSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        return nil
    }
}

/// Any JSON value, decoded only to say what was found where something else was expected.
enum FoundJSONValue: Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsignedInteger(UInt64)
    case number(Double)
    case string(String)
    case list
    case object

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
                return
            }
            if let value = try? container.decode(Int64.self) {
                self = .integer(value)
                return
            }
            if let value = try? container.decode(UInt64.self) {
                self = .unsignedInteger(value)
                return
            }
            if let value = try? container.decode(Double.self) {
                self = .number(value)
                return
            }
            if let value = try? container.decode(String.self) {
                self = .string(value)
                return
            }
        }
        self = (try? decoder.unkeyedContainer()) != nil ? .list : .object
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .unsignedInteger(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .string(let value): return "\"\(value)\""
        case .list: return "a list"
        case .object: return "an object"
        }
    }
}
