import ColonyAPI
import Foundation

/// A transaction written as JSON, the form `colony txn` reads:
///
/// ```json
/// {
///   "conditions": [
///     { "key": "owner", "value": "alice" },
///     { "key": "lock", "exists": false },
///     { "key": "count", "version": 7 }
///   ],
///   "success": [
///     { "put": "lock", "value": "alice" },
///     { "increment": "count", "by": 1 },
///     { "get": "owner" },
///     { "delete": "request" }
///   ],
///   "failure": [
///     { "get": "owner" }
///   ]
/// }
/// ```
///
/// Each condition names a `key` and exactly one test: `exists` (true or false), `version`
/// (the key's version; 0 for an absent key) or `value` (its exact text). Each step is one of
/// `get`, `put` (with a text `value`), `delete`, or `increment` (with an integer `by`, 1 if
/// left out). If every condition holds, the `success` steps apply, else the `failure` steps;
/// either list applies atomically. Unknown fields are refused, and every mistake is reported
/// with its JSON path (`$.success[1].value`).
public enum TransactionDocument {
    /// Parses a document into the request the client sends.
    public static func parse(_ data: Data) throws(TransactionDocumentError) -> Colony_V1_TransactionRequest {
        let root: DocumentValue
        do {
            root = try JSONDecoder().decode(DocumentValue.self, from: data)
        } catch {
            throw TransactionDocumentError(path: "$", problem: "not valid JSON (\(Self.reason(error)))")
        }
        let document = try root.object(at: "$", allowed: ["conditions", "success", "failure"])
        var request = Colony_V1_TransactionRequest()
        request.conditions = try list(document["conditions"], at: "$.conditions", condition)
        request.success = try list(document["success"], at: "$.success", step)
        request.failure = try list(document["failure"], at: "$.failure", step)
        guard !request.success.isEmpty || !request.failure.isEmpty else {
            throw TransactionDocumentError(path: "$", problem: "a transaction needs at least one step in \"success\" or \"failure\"")
        }
        return request
    }

    private static func list<Element>(
        _ value: DocumentValue?, at path: String, _ parse: (DocumentValue, String) throws(TransactionDocumentError) -> Element
    ) throws(TransactionDocumentError) -> [Element] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw TransactionDocumentError(path: path, problem: "expected a list, found \(value.kind)")
        }
        var parsed: [Element] = []
        for (index, item) in items.enumerated() {
            parsed.append(try parse(item, "\(path)[\(index)]"))
        }
        return parsed
    }

    private static func condition(_ value: DocumentValue, at path: String) throws(TransactionDocumentError) -> Colony_V1_Condition {
        let fields = try value.object(at: path, allowed: ["key", "exists", "version", "value"])
        var condition = Colony_V1_Condition()
        condition.key = try text(fields["key"], at: path + ".key", what: "the key the condition tests")
        let tests = ["exists", "version", "value"].filter { fields[$0] != nil }
        guard tests.count == 1 else {
            throw TransactionDocumentError(
                path: path, problem: "give exactly one test of \"exists\", \"version\" or \"value\", not \(tests.isEmpty ? "none" : tests.joined(separator: " and "))")
        }
        switch tests[0] {
        case "exists":
            guard case .bool(let exists)? = fields["exists"] else {
                throw TransactionDocumentError(path: path + ".exists", problem: "expected true or false, found \(fields["exists"]?.kind ?? "nothing")")
            }
            condition.exists = exists
        case "version":
            condition.versionEquals = try unsigned(fields["version"], at: path + ".version")
        default:
            condition.valueEquals = Data(try text(fields["value"], at: path + ".value", what: "the value the key must hold").utf8)
        }
        return condition
    }

    private static func step(_ value: DocumentValue, at path: String) throws(TransactionDocumentError) -> Colony_V1_Step {
        let fields = try value.object(at: path, allowed: ["get", "put", "delete", "increment", "value", "by"])
        let kinds = ["get", "put", "delete", "increment"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw TransactionDocumentError(
                path: path, problem: "give exactly one of \"get\", \"put\", \"delete\" or \"increment\", not \(kinds.isEmpty ? "none" : kinds.joined(separator: " and "))")
        }
        let kind = kinds[0]
        let key = try text(fields[kind], at: "\(path).\(kind)", what: "the key to \(kind)")
        if fields["value"] != nil, kind != "put" {
            throw TransactionDocumentError(path: path + ".value", problem: "only a \"put\" step takes a value")
        }
        if fields["by"] != nil, kind != "increment" {
            throw TransactionDocumentError(path: path + ".by", problem: "only an \"increment\" step takes \"by\"")
        }
        var step = Colony_V1_Step()
        switch kind {
        case "get":
            step.get = key
        case "delete":
            step.delete = key
        case "put":
            var put = Colony_V1_KeyValuePut()
            put.key = key
            put.value = Data(try text(fields["value"], at: path + ".value", what: "the text to write").utf8)
            step.put = put
        default:
            var increment = Colony_V1_Increment()
            increment.key = key
            increment.delta = try fields["by"].map { (value) throws(TransactionDocumentError) in try signed(value, at: path + ".by") } ?? 1
            step.increment = increment
        }
        return step
    }

    private static func text(_ value: DocumentValue?, at path: String, what: String) throws(TransactionDocumentError) -> String {
        guard case .string(let text)? = value else {
            throw TransactionDocumentError(path: path, problem: "expected a string (\(what)), found \(value?.kind ?? "nothing")")
        }
        return text
    }

    private static func unsigned(_ value: DocumentValue?, at path: String) throws(TransactionDocumentError) -> UInt64 {
        guard case .integer(let number)? = value, number >= 0 else {
            throw TransactionDocumentError(path: path, problem: "expected a whole number from 0, found \(value?.kind ?? "nothing")")
        }
        return UInt64(number)
    }

    private static func signed(_ value: DocumentValue, at path: String) throws(TransactionDocumentError) -> Int64 {
        guard case .integer(let number) = value else {
            throw TransactionDocumentError(path: path, problem: "expected a whole number, found \(value.kind)")
        }
        return number
    }

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// What is wrong with a transaction document, and where.
public struct TransactionDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The JSON path of the mistake (`$.success[1].value`).
    public var path: String
    /// What is wrong there.
    public var problem: String

    /// Makes an error at `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// A value of a transaction document (JSON), read strictly: booleans are not numbers, and
/// numbers are whole.
enum DocumentValue: Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case fraction(Double)
    case string(String)
    case array([DocumentValue])
    case object([String: DocumentValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .fraction(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DocumentValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DocumentValue].self))
        }
    }

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .integer(let value): return "the number \(value)"
        case .fraction(let value): return "the number \(value)"
        case .string(let value): return "the string \"\(value)\""
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The fields of an object that may hold only `allowed` ones.
    func object(at path: String, allowed: Set<String>) throws(TransactionDocumentError) -> [String: DocumentValue] {
        guard case .object(let fields) = self else {
            throw TransactionDocumentError(path: path, problem: "expected an object, found \(kind)")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw TransactionDocumentError(
                path: path, problem: "unknown field \"\(unknown)\"; the fields here are \(allowed.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return fields
    }
}
