import Foundation

/// Strict JSON decoding for files people write by hand (a node's configuration, a what-if
/// fleet): any `Decodable` type, read with `JSONDecoder`, except that a key the type never
/// asks for is refused at every level of the document instead of being silently ignored.
/// A misspelt optional key (`"keyfile"` for `"keyFile"`) would otherwise leave its option
/// off without a word.
///
/// Every error names the JSON path it concerns (`nodes[1].adminAddress`) and says what was
/// expected there and what was found; an unknown key comes with the nearest key the type
/// knows at that place, by edit distance.
///
/// How it knows which keys a type knows: the type decodes through a decoder that wraps
/// `JSONDecoder`'s own and writes down, for every JSON object, the keys it holds and the
/// keys the type read or looked for (`decodeIfPresent` looks for every optional key, so a
/// synthesized `Decodable` asks for all of its keys). A type that lists a container's keys
/// (`allKeys`, as dictionaries do) accepts them all.
public enum StrictJSON {
    /// Decodes `type` from `data`, refusing unknown keys at every level.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws(StrictJSONError) -> Value {
        let ledger = KeyLedger()
        let decoder = JSONDecoder()
        decoder.userInfo[KeyLedger.userInfoKey] = ledger
        let value: Value
        do {
            value = try decoder.decode(StrictRoot<Value>.self, from: data).value
        } catch {
            throw StrictJSONError(error, ledger: ledger)
        }
        if let unknown = ledger.unknownKeys().first {
            throw unknown
        }
        return value
    }
}

/// The document's root, decoded through the key-recording decoder.
private struct StrictRoot<Value: Decodable>: Decodable {
    let value: Value

    init(from decoder: any Decoder) throws {
        guard let ledger = decoder.userInfo[KeyLedger.userInfoKey] as? KeyLedger else {
            preconditionFailure("Invalid state: StrictJSON.decode always hands its ledger to the root")
        }
        value = try Value(from: KeyRecordingDecoder(base: decoder, ledger: ledger))
    }
}

/// What a strict decode saw of each JSON object: the keys it holds and the keys the type
/// asked for. Used on the decoding thread only.
final class KeyLedger: @unchecked Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "colony.strictJSON.ledger")!

    private struct Object {
        var path: [any CodingKey]
        var present: Set<String> = []
        var asked: Set<String> = []
    }

    private var objects: [String: Object] = [:]

    /// The object at `path` holds `keys`.
    func present(_ keys: [String], at path: [any CodingKey]) {
        objects[JSONPath.render(path), default: Object(path: path)].present.formUnion(keys)
    }

    /// The type asked for `key` in the object at `path`.
    func asked(_ key: String, at path: [any CodingKey]) {
        objects[JSONPath.render(path), default: Object(path: path)].asked.insert(key)
    }

    /// Every key present but never asked for, as errors, in path and key order.
    func unknownKeys(at path: [any CodingKey]? = nil) -> [StrictJSONError] {
        let chosen = path.map { objects[JSONPath.render($0)].map { [$0] } ?? [] } ?? Array(objects.values)
        return chosen.sorted { JSONPath.render($0.path) < JSONPath.render($1.path) }.flatMap { object in
            object.present.subtracting(object.asked).sorted().map { key in
                let known = object.asked.sorted()
                return StrictJSONError(
                    path: JSONPath.render(object.path),
                    problem: .unknownKey(key, suggestion: NearestKey.nearest(to: key, among: known), known: known))
            }
        }
    }
}

/// JSON paths as errors print them: `nodes[1].adminAddress`; empty for the top level.
enum JSONPath {
    /// `path` written out.
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            // A list's elements are keyed "Index N" by JSONDecoder.
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
