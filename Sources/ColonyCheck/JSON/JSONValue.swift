/// One parsed JSON value, as the history reader sees it.
///
/// Numbers keep their source text so that a 64-bit integer converts exactly, and objects
/// keep their members in source order so that an error can name the field it is about.
indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    /// The number's text exactly as written, e.g. `-12`, `3.5e2`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// A short name of the value's kind for error messages ("a string", "null", …).
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as a whole number without sign, fraction or exponent, if it is one that
    /// fits in `UInt64`.
    var unsignedInteger: UInt64? {
        guard case .number(let text) = self else { return nil }
        return UInt64(text)
    }

    /// The value as a whole number without fraction or exponent that fits in `Int`.
    var integer: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text)
    }
}

/// One `"name": value` member of a JSON object.
struct JSONMember: Equatable {
    var name: String
    var value: JSONValue
}

/// Why a line is not valid JSON, and where (1-based column, counted in UTF-8 bytes).
struct JSONSyntaxError: Error, Equatable {
    var column: Int
    var reason: String
}
