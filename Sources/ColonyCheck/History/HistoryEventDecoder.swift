import ColonyCore

/// Turns one JSON object of a history line into a `HistoryEvent`, checking that every field
/// of HISTORY.md is present, that no other field is, and that each has the right type.
enum HistoryEventDecoder {
    /// The fields of a history line, in the order HISTORY.md writes them.
    static let fieldNames = ["index", "time", "process", "type", "f", "cell", "key", "value"]

    /// Decodes the event on `line` (1-based) from its parsed JSON.
    static func decode(_ json: JSONValue, line: Int) throws(HistoryError) -> HistoryEvent {
        guard case .object(let members) = json else {
            throw .notAnObject(line: line, found: json.kindDescription)
        }
        if let stranger = members.first(where: { !fieldNames.contains($0.name) }) {
            throw .unknownField(line: line, field: stranger.name)
        }
        for name in fieldNames where !members.contains(where: { $0.name == name }) {
            throw .missingField(line: line, field: name)
        }
        let reader = FieldReader(members: members, line: line)
        let function = try reader.function()
        return HistoryEvent(
            index: try reader.integer("index"),
            time: try reader.time(),
            process: try reader.integer("process"),
            type: try reader.type(),
            function: function,
            cell: try reader.string("cell"),
            key: try reader.optionalString("key"),
            value: try decodeValue(reader.field("value"), function: function, line: line)
        )
    }

    /// Decodes the `value` field in the shape its function prescribes.
    static func decodeValue(_ json: JSONValue, function: HistoryFunction, line: Int) throws(HistoryError) -> HistoryValue {
        let wrongShape = HistoryError.wrongValueShape(line: line, function: function, found: describeShape(json))
        switch function {
        case .read:
            guard let text = optionalString(json) else { throw wrongShape }
            return text.map(HistoryValue.string) ?? .null
        case .write:
            guard case .string(let text) = json else { throw wrongShape }
            return .string(text)
        case .cas:
            guard case .array(let elements) = json, elements.count == 2,
                let expected = optionalString(elements[0]), let new = optionalString(elements[1])
            else { throw wrongShape }
            return .pair(expected, new)
        case .delete:
            guard json == .null else { throw wrongShape }
            return .null
        case .txn:
            guard case .array(let elements) = json else { throw wrongShape }
            var steps: [TransactionMicroOperation] = []
            for (position, element) in elements.enumerated() {
                guard let step = decodeStep(element) else {
                    throw .wrongValueShape(
                        line: line, function: function,
                        found: "an array whose step \(position + 1) is not [\"r\" or \"w\", key, value-or-null]")
                }
                steps.append(step)
            }
            return .transaction(steps)
        }
    }

    private static func decodeStep(_ json: JSONValue) -> TransactionMicroOperation? {
        guard case .array(let parts) = json, parts.count == 3,
            case .string(let kindText) = parts[0], let kind = TransactionMicroOperation.Kind(rawValue: kindText),
            case .string(let key) = parts[1], let value = optionalString(parts[2])
        else { return nil }
        return TransactionMicroOperation(kind: kind, key: key, value: value)
    }

    /// A string, `.some(nil)` for null, or nil for anything else.
    private static func optionalString(_ json: JSONValue) -> String?? {
        switch json {
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        case .bool, .number, .array, .object: return nil
        }
    }

    private static func describeShape(_ json: JSONValue) -> String {
        guard case .array(let elements) = json else { return json.kindDescription }
        return "an array of \(elements.count) element\(elements.count == 1 ? "" : "s")"
    }
}

/// Reads typed fields out of one line's members, throwing errors that name the field.
private struct FieldReader {
    /// The line's members; a line has eight, so a linear search beats hashing.
    let members: [JSONMember]
    let line: Int

    func field(_ name: String) throws(HistoryError) -> JSONValue {
        guard let member = members.first(where: { $0.name == name }) else {
            throw .missingField(line: line, field: name)
        }
        return member.value
    }

    func integer(_ name: String) throws(HistoryError) -> Int {
        let value = try field(name)
        guard let integer = value.integer else {
            throw .wrongFieldType(line: line, field: name, expected: "a whole number", found: describe(value))
        }
        return integer
    }

    func time() throws(HistoryError) -> UInt64 {
        let value = try field("time")
        guard let time = value.unsignedInteger else {
            throw .wrongFieldType(
                line: line, field: "time", expected: "a whole number of nanoseconds, at least 0", found: describe(value))
        }
        return time
    }

    func string(_ name: String) throws(HistoryError) -> String {
        let value = try field(name)
        guard case .string(let text) = value else {
            throw .wrongFieldType(line: line, field: name, expected: "a string", found: describe(value))
        }
        return text
    }

    func optionalString(_ name: String) throws(HistoryError) -> String? {
        let value = try field(name)
        if value == .null { return nil }
        guard case .string(let text) = value else {
            throw .wrongFieldType(line: line, field: name, expected: "a string or null", found: describe(value))
        }
        return text
    }

    func type() throws(HistoryError) -> HistoryEventType {
        let text = try string("type")
        guard let type = HistoryEventType(rawValue: text) else { throw .unknownType(line: line, found: text) }
        return type
    }

    func function() throws(HistoryError) -> HistoryFunction {
        let text = try string("f")
        guard let function = HistoryFunction(rawValue: text) else { throw .unknownFunction(line: line, found: text) }
        return function
    }

    /// The value's kind, with the number's text when it is a number that did not fit.
    private func describe(_ value: JSONValue) -> String {
        guard case .number(let text) = value else { return value.kindDescription }
        return "the number \(text)"
    }
}
