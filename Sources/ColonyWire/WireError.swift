import ColonyCore

/// Why bytes could not be decoded: what was being read, at which byte offset of the input,
/// and what was wrong. Every decoding failure is one of these; none traps.
///
/// `field` names the value being read as `Type.field` (or just `Type` for a tag); `offset`
/// counts bytes from the start of the input the reader was given.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended before the value did.
    case truncated(field: String, offset: Int, neededBytes: Int, remainingBytes: Int)
    /// An enum tag named no known case.
    case unknownTag(field: String, offset: Int, tag: UInt8)
    /// A varint ran past 10 bytes, past 64 bits, or used more bytes than its value needs.
    case malformedVarint(field: String, offset: Int)
    /// A length or count exceeded a named `WireLimits` maximum.
    case lengthOverLimit(field: String, offset: Int, length: UInt64, limit: WireLimitName, max: Int)
    /// A string's bytes were not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// A boolean or presence byte was neither 0 nor 1.
    case invalidBool(field: String, offset: Int, byte: UInt8)
    /// Bytes remained after a whole value was read.
    case trailingBytes(field: String, offset: Int, count: Int)
    /// A number decoded but does not fit the value it encodes (a node id past 32 bits, a negative limit).
    case valueOutOfRange(field: String, offset: Int, reason: String)
    /// The value has another, canonical encoding (entries out of ascending order, or repeated).
    case notCanonical(field: String, offset: Int, reason: String)
    /// A cell name was refused by `CellID(validating:)`; `reason` is the core's explanation.
    case invalidCellName(field: String, offset: Int, reason: String)
    /// A configuration was refused by `CellConfiguration`'s validating initializer.
    case invalidConfiguration(field: String, offset: Int, reason: ConfigurationError)
    /// The parts of a cell's state were refused by ColonyCore as not fitting together.
    case inconsistentState(field: String, offset: Int, reason: StateDecodingError)

    /// The value being read when decoding failed.
    public var field: String {
        switch self {
        case .truncated(let field, _, _, _), .unknownTag(let field, _, _), .malformedVarint(let field, _),
             .lengthOverLimit(let field, _, _, _, _), .invalidUTF8(let field, _), .invalidBool(let field, _, _),
             .trailingBytes(let field, _, _), .valueOutOfRange(let field, _, _), .notCanonical(let field, _, _),
             .invalidCellName(let field, _, _), .invalidConfiguration(let field, _, _),
             .inconsistentState(let field, _, _):
            return field
        }
    }

    /// The byte offset, from the start of the input, where the faulty part begins.
    public var offset: Int {
        switch self {
        case .truncated(_, let offset, _, _), .unknownTag(_, let offset, _), .malformedVarint(_, let offset),
             .lengthOverLimit(_, let offset, _, _, _), .invalidUTF8(_, let offset), .invalidBool(_, let offset, _),
             .trailingBytes(_, let offset, _), .valueOutOfRange(_, let offset, _), .notCanonical(_, let offset, _),
             .invalidCellName(_, let offset, _), .invalidConfiguration(_, let offset, _),
             .inconsistentState(_, let offset, _):
            return offset
        }
    }

    /// What failed, where, and why, in one line for logs and operators.
    public var description: String {
        "cannot decode \(field) at byte \(offset): \(problem)"
    }

    private var problem: String {
        switch self {
        case .truncated(_, _, let needed, let remaining):
            return "the input ends early: \(needed) more bytes needed, \(remaining) remain"
        case .unknownTag(_, _, let tag):
            return "unknown tag \(tag); the data is damaged or from a newer version"
        case .malformedVarint:
            return "malformed varint: at most 10 bytes, within 64 bits, and no longer than needed"
        case .lengthOverLimit(_, _, let length, let limit, let max):
            return "length \(length) is over the limit \(limit) = \(max)"
        case .invalidUTF8:
            return "the string is not valid UTF-8"
        case .invalidBool(_, _, let byte):
            return "a boolean must be 0 or 1, not \(byte)"
        case .trailingBytes(_, _, let count):
            return "\(count) bytes remain after the whole value"
        case .valueOutOfRange(_, _, let reason):
            return "value out of range: \(reason)"
        case .notCanonical(_, _, let reason):
            return "not in canonical form: \(reason)"
        case .invalidCellName(_, _, let reason):
            return "invalid cell name: \(reason)"
        case .invalidConfiguration(_, _, let reason):
            return "invalid configuration: \(reason)"
        case .inconsistentState(_, _, let reason):
            return "\(reason)"
        }
    }
}
