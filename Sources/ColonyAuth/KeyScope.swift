/// The keys inside a cell a grant covers: every key that starts with `prefix`, byte for byte
/// in UTF-8, written `PREFIX*` in the policy and on the command line (the last `*` ends the
/// prefix; one inside it is part of it). A grant without one covers every key of its cells.
public struct KeyPattern: Hashable, Sendable, WrittenAsText {
    /// The bytes every covered key starts with; never empty.
    public let prefix: String

    /// The longest prefix, in bytes: the longest key a cell may hold.
    public static let bytesMax = 256

    /// The pattern `text` writes (`PREFIX*`), or nil when it is not one: no final `*`, nothing
    /// before it, or longer than a key.
    public init?(_ text: String) {
        guard text.hasSuffix("*") else { return nil }
        let prefix = String(text.dropLast())
        guard !prefix.isEmpty, prefix.utf8.count <= Self.bytesMax else { return nil }
        self.prefix = prefix
    }

    /// The pattern as it is written.
    public var description: String { prefix + "*" }

    /// Whether every key of `scope` starts with the prefix.
    public func covers(_ scope: KeyScope) -> Bool {
        switch scope {
        case .every: return false
        case .key(let key), .prefix(let key): return key.utf8.starts(with: prefix.utf8)
        case .keys(let keys):
            // A transaction naming no key touches nothing under any pattern.
            return keys.allSatisfy { $0.utf8.starts(with: prefix.utf8) }
        }
    }

    /// What a key pattern's text must be.
    public static let textExpected = "a key pattern: a prefix of 1 to \(bytesMax) bytes followed by *"
}

/// The keys of a cell an operation reads or writes, as authorization judges it against the
/// grants' key patterns.
public enum KeyScope: Hashable, Sendable, CustomStringConvertible {
    /// Every key of the cell: a watch, the cell's counts, a listing of the whole cell.
    case every
    /// One key: Get, Put, Delete, CompareAndSet, Increment.
    case key(String)
    /// The keys a transaction's conditions and steps name.
    case keys([String])
    /// The keys a listing of this prefix may return (never empty: that is `every`).
    case prefix(String)

    /// The most keys a refusal names.
    static let keysNamedMax = 8
    /// The most bytes of each key a refusal names: keys come from the client, unchecked yet.
    static let keyBytesNamedMax = 64

    /// `key` as a refusal names it: cut to `keyBytesNamedMax` bytes, marked when cut.
    static func named(_ key: String) -> String {
        guard key.utf8.count > keyBytesNamedMax else { return key }
        return String(decoding: key.utf8.prefix(keyBytesNamedMax), as: UTF8.self) + "…"
    }

    public var description: String {
        switch self {
        case .every: return "every key"
        case .key(let key): return "key \(Self.named(key))"
        case .keys(let keys):
            let named = keys.prefix(Self.keysNamedMax).map(Self.named).joined(separator: ", ")
            return "keys \(named)" + (keys.count > Self.keysNamedMax ? " and \(keys.count - Self.keysNamedMax) more" : "")
        case .prefix(let prefix): return "the keys starting with \(Self.named(prefix))"
        }
    }
}
