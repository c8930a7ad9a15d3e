import Foundation

/// Why a document could not be decoded strictly: where (a JSON path) and what.
public struct StrictJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong at `path`.
    public enum Problem: Hashable, Sendable {
        /// The bytes are not JSON at all.
        case notJSON(String)
        /// A key the type requires is absent.
        case missingKey(String)
        /// A key the type does not know, the nearest one it knows if any is close, and the
        /// keys it knows at that place (every one, unless decoding stopped at the
        /// misspelling of a required key: then that key).
        case unknownKey(String, suggestion: String?, known: [String])
        /// A value of the wrong kind or out of range: what was expected, and what was found
        /// if it could be told.
        case wrongValue(expected: String, found: String?)
        /// A value the type itself refused, in its words.
        case invalidValue(String)
        /// The decoded type refused the document as a whole, in its words.
        case refused(String)
    }

    /// Where: `nodes[1].adminAddress`; empty for the top level.
    public var path: String
    /// What.
    public var problem: Problem

    /// Makes an error.
    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// `path` as a sentence writes it.
    private var location: String {
        path.isEmpty ? "at the top level" : "in \(path)"
    }

    /// `path` as the subject of a sentence.
    private var subject: String {
        path.isEmpty ? "the top level" : path
    }

    public var description: String {
        switch problem {
        case .notJSON(let detail):
            return "not valid JSON: \(detail)"
        case .missingKey(let key):
            return "missing key \"\(key)\" \(location)"
        case .unknownKey(let key, let suggestion, let known):
            if let suggestion {
                return "unknown key \"\(key)\" \(location); did you mean \"\(suggestion)\"?"
            }
            let keys = known.isEmpty ? "none" : known.joined(separator: ", ")
            return "unknown key \"\(key)\" \(location); the keys there are \(keys)"
        case .wrongValue(let expected, let found):
            return "\(subject) should be \(expected)" + (found.map { ", not \($0)" } ?? "")
        case .invalidValue(let detail):
            return "\(subject): \(detail)"
        case .refused(let detail):
            return detail
        }
    }
}

extension StrictJSONError {
    /// The error a strict decode reports for `error`, thrown while decoding; `ledger` tells
    /// whether a missing key is explained by a misspelt one beside it.
    init(_ error: any Error, ledger: KeyLedger) {
        switch error {
        case let unexpected as UnexpectedValue:
            self.init(path: JSONPath.render(unexpected.path), problem: .wrongValue(expected: unexpected.expected, found: unexpected.found))
        case DecodingError.keyNotFound(let key, let context):
            let path = JSONPath.render(context.codingPath)
            let unknown = ledger.unknownKeys(at: context.codingPath).map(\.problem).compactMap { problem -> String? in
                guard case .unknownKey(let typed, _, _) = problem else { return nil }
                return typed
            }
            // A key that is absent beside an unknown one that nearly spells it was misspelt.
            if let misspelt = unknown.first(where: { NearestKey.nearest(to: $0, among: [key.stringValue]) != nil }) {
                self.init(path: path, problem: .unknownKey(misspelt, suggestion: key.stringValue, known: [key.stringValue]))
            } else {
                self.init(path: path, problem: .missingKey(key.stringValue))
            }
        case DecodingError.valueNotFound(let type, let context):
            self.init(path: JSONPath.render(context.codingPath), problem: .wrongValue(expected: ExpectedValue.describe(type), found: "null"))
        case DecodingError.typeMismatch(let type, let context):
            self.init(path: JSONPath.render(context.codingPath), problem: .wrongValue(expected: ExpectedValue.describe(type), found: nil))
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = context.underlyingError.map { "\(($0 as NSError).localizedDescription)" } ?? context.debugDescription
            self.init(path: "", problem: .notJSON(detail))
        case DecodingError.dataCorrupted(let context):
            self.init(path: JSONPath.render(context.codingPath), problem: .invalidValue(context.debugDescription))
        default:
            self.init(path: "", problem: .refused("\(error)"))
        }
    }
}

/// A value of the wrong kind, found by the key-recording containers, which know what they
/// expected and can look at what is there instead.
struct UnexpectedValue: Error {
    var path: [any CodingKey]
    var expected: String
    var found: String?
}

/// Words for the kind of value a type expects.
enum ExpectedValue {
    /// The words for each primitive JSON value type.
    private static let primitives: [ObjectIdentifier: String] = [
        ObjectIdentifier(Bool.self): "true or false",
        ObjectIdentifier(String.self): "a string",
        ObjectIdentifier(Double.self): "a number",
        ObjectIdentifier(Float.self): "a number",
        ObjectIdentifier(Int.self): wholeNumber(Int.self),
        ObjectIdentifier(Int8.self): wholeNumber(Int8.self),
        ObjectIdentifier(Int16.self): wholeNumber(Int16.self),
        ObjectIdentifier(Int32.self): wholeNumber(Int32.self),
        ObjectIdentifier(Int64.self): wholeNumber(Int64.self),
        ObjectIdentifier(UInt.self): wholeNumber(UInt.self),
        ObjectIdentifier(UInt8.self): wholeNumber(UInt8.self),
        ObjectIdentifier(UInt16.self): wholeNumber(UInt16.self),
        ObjectIdentifier(UInt32.self): wholeNumber(UInt32.self),
        ObjectIdentifier(UInt64.self): wholeNumber(UInt64.self),
    ]

    /// What a value of `type` looks like in JSON.
    static func describe(_ type: Any.Type) -> String {
        if let words = primitives[ObjectIdentifier(type)] { return words }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") { return "a JSON object" }
        if name.hasPrefix("Array") { return "a list" }
        return "a value of type \(name)"
    }

    /// A whole number within `type`'s range.
    static func wholeNumber<Integer: FixedWidthInteger>(_ type: Integer.Type) -> String {
        "a whole number from \(Integer.min) to \(Integer.max)"
    }
}
