import ColonyCore

/// Why a history cannot be read or is not a well-formed history in the format of HISTORY.md.
///
/// Every case carries the 1-based line of the offending event (for events that did not come
/// from a file, the line is the event's position plus one) and its `description` says what
/// was wrong and what the line should hold instead.
public enum HistoryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The line is not one JSON value; `column` counts UTF-8 bytes from 1.
    case notJSON(line: Int, column: Int, reason: String)
    /// The line is valid JSON but not an object.
    case notAnObject(line: Int, found: String)
    /// A blank line appears before the last event.
    case blankLine(line: Int)
    /// A required field is missing.
    case missingField(line: Int, field: String)
    /// The object has a field the format does not define.
    case unknownField(line: Int, field: String)
    /// A field holds the wrong kind of value.
    case wrongFieldType(line: Int, field: String, expected: String, found: String)
    /// The `index` field is not the line's position from 0.
    case wrongIndex(line: Int, found: Int, expected: Int)
    /// The `time` field is smaller than the previous event's.
    case timeWentBackwards(line: Int, time: UInt64, previousTime: UInt64)
    /// The `type` field is not one of the four known types.
    case unknownType(line: Int, found: String)
    /// The `f` field is not one of the known functions.
    case unknownFunction(line: Int, found: String)
    /// The `value` field does not have the shape its function needs.
    case wrongValueShape(line: Int, function: HistoryFunction, found: String)
    /// An ok, fail or info event whose process has no operation in flight.
    case completionWithoutInvoke(line: Int, process: Int, type: HistoryEventType)
    /// A completion names a different function, cell or key than the invoke it ends.
    case completionDoesNotMatchInvoke(line: Int, process: Int, field: String, invokeLine: Int)
    /// A process invokes while its previous operation is still in flight.
    case invokeWhileInFlight(line: Int, process: Int, inFlightLine: Int)
    /// A process invokes again after one of its operations ended in info.
    case invokeAfterInfo(line: Int, process: Int, infoLine: Int)

    /// The 1-based line the problem is on.
    public var line: Int {
        switch self {
        case .notJSON(let line, _, _), .notAnObject(let line, _), .blankLine(let line),
            .missingField(let line, _), .unknownField(let line, _),
            .wrongFieldType(let line, _, _, _), .wrongIndex(let line, _, _),
            .timeWentBackwards(let line, _, _), .unknownType(let line, _),
            .unknownFunction(let line, _), .wrongValueShape(let line, _, _),
            .completionWithoutInvoke(let line, _, _), .completionDoesNotMatchInvoke(let line, _, _, _),
            .invokeWhileInFlight(let line, _, _), .invokeAfterInfo(let line, _, _):
            return line
        }
    }

    /// What is wrong, on which line, and what the line should hold instead.
    public var description: String {
        "history line \(line): \(problem); \(remedy)"
    }

    private var problem: String {
        switch self {
        case .notJSON(_, let column, let reason):
            return "not valid JSON at column \(column): \(reason)"
        case .notAnObject(_, let found):
            return "the line holds \(found), not a JSON object"
        case .blankLine:
            return "the line is blank but more events follow"
        case .missingField(_, let field):
            return "the field \"\(field)\" is missing"
        case .unknownField(_, let field):
            return "the field \"\(field)\" is not part of the format"
        case .wrongFieldType(_, let field, let expected, let found):
            return "the field \"\(field)\" holds \(found), but should hold \(expected)"
        case .wrongIndex(_, let found, let expected):
            return "\"index\" is \(found), but this is event \(expected) of the file"
        case .timeWentBackwards(_, let time, let previousTime):
            return "\"time\" is \(time), earlier than the previous event's \(previousTime)"
        case .unknownType(_, let found):
            return "\"type\" is \"\(found)\", which is not a known event type"
        case .unknownFunction(_, let found):
            return "\"f\" is \"\(found)\", which is not a known function"
        case .wrongValueShape(_, let function, let found):
            return "the value of a \(function.rawValue) is \(found)"
        case .completionWithoutInvoke(_, let process, let type):
            return "process \(process) reports \(type.rawValue) but has no operation in flight"
        case .completionDoesNotMatchInvoke(_, let process, let field, let invokeLine):
            return "the \(field) differs from that of process \(process)'s invoke on line \(invokeLine)"
        case .invokeWhileInFlight(_, let process, let inFlightLine):
            return "process \(process) invokes while its operation from line \(inFlightLine) is in flight"
        case .invokeAfterInfo(_, let process, let infoLine):
            return "process \(process) invokes again after its operation ended in info on line \(infoLine)"
        }
    }

    private var remedy: String {
        switch self {
        case .notJSON, .notAnObject, .blankLine, .missingField, .unknownField:
            return "each line must be one JSON object with the fields index, time, process, type, f, cell, key and value"
        case .wrongFieldType(_, let field, let expected, _):
            return "write \"\(field)\" as \(expected)"
        case .wrongIndex(_, _, let expected):
            return "events must be numbered from 0 in file order, so this one should have index \(expected)"
        case .timeWentBackwards:
            return "events must be written in the order they happened, with non-decreasing times"
        case .unknownType:
            return "use one of \(HistoryEventType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
        case .unknownFunction:
            return "use one of \(HistoryFunction.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"
        case .wrongValueShape(_, let function, _):
            return "it should be \(Self.expectedShape(of: function))"
        case .completionWithoutInvoke:
            return "every ok, fail or info must follow an invoke of the same process"
        case .completionDoesNotMatchInvoke:
            return "a completion must repeat its invoke's f, cell and key"
        case .invokeWhileInFlight:
            return "a process has at most one operation in flight; end the previous one first"
        case .invokeAfterInfo:
            return "after an info a client must continue under a fresh process number"
        }
    }

    /// The value shape HISTORY.md prescribes for a function.
    static func expectedShape(of function: HistoryFunction) -> String {
        switch function {
        case .read: return "null or a string (the value read)"
        case .write: return "a string (the value written)"
        case .cas: return "a two-element array [expected, new] of strings or nulls"
        case .delete: return "null"
        case .txn: return "an array of steps [\"r\", key, value-or-null] and [\"w\", key, value-or-null]"
        }
    }
}
