/// What a grant allows on the cells (and keys) it covers.
public enum Access: String, Codable, Hashable, Sendable, CaseIterable {
    /// Get, List, Watch, CellInfo.
    case read
    /// Put, Delete, CompareAndSet, Increment, Transaction (a transaction's reads included).
    case write
    /// Both.
    case readWrite = "read-write"

    /// Whether this access covers `needed`.
    public func covers(_ needed: Access) -> Bool {
        self == .readWrite || self == needed
    }
}

/// The cells a grant covers: one name (`app-1`), or every name that starts with a prefix
/// (`app-*`; `*` alone covers every application cell), byte for byte in UTF-8. Written as
/// that text in the policy.
///
/// A pattern never covers a reserved name (one starting with `_`, such as `_directory`): the
/// colony's own cells change only through the control plane's operations, which need the
/// admin role, so no application grant reaches them.
public enum CellPattern: Hashable, Sendable, WrittenAsText {
    /// The cell of this name.
    case exact(String)
    /// Every cell whose name starts with this prefix (empty: every application cell).
    case prefix(String)

    /// The longest pattern, in bytes: a cell name's most.
    public static let bytesMax = 128

    /// The pattern `text` writes (`NAME` or `PREFIX*`), or nil when it is not one: empty, too
    /// long, with a `*` other than last, or naming reserved cells.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.bytesMax, !text.hasPrefix("_") else { return nil }
        let stars = text.filter { $0 == "*" }.count
        if stars == 0 {
            self = .exact(text)
        } else if stars == 1, text.hasSuffix("*") {
            self = .prefix(String(text.dropLast()))
        } else {
            return nil
        }
    }

    /// The pattern as it is written.
    public var description: String {
        switch self {
        case .exact(let name): return name
        case .prefix(let prefix): return prefix + "*"
        }
    }

    /// Whether the pattern covers cell `name`.
    public func covers(_ name: String) -> Bool {
        guard !Reserved.isReserved(name) else { return false }
        switch self {
        case .exact(let exact): return name == exact
        case .prefix(let prefix): return name.utf8.starts(with: prefix.utf8)
        }
    }

    /// What a cell pattern's text must be.
    public static let textExpected = "a cell pattern: a cell name, or a prefix followed by *, not starting with _"
}

/// A value the policy writes as one string: it reads back only from text its `init?(_:)`
/// takes, and a wrong one is refused saying what it must be.
public protocol WrittenAsText: Codable, CustomStringConvertible {
    /// The value `text` writes, or nil when it writes none.
    init?(_ text: String)
    /// What the text must be, for the error that refuses a wrong one.
    static var textExpected: String { get }
}

extension WrittenAsText {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not \(Self.textExpected)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One permission of a role: `access` on the cells `cells` covers, and within them on the
/// keys `keys` covers (every key when nil).
///
/// A grant on every key is written `{"access": A, "cells": C}`, as before key patterns
/// existed. One on some keys is written `{"access": A, "scope": {"cells": C, "keys": K}}`,
/// with no `cells` of its own, so that a build which predates key patterns cannot read it:
/// such a node refuses the whole policy and keeps enforcing the one it held, and such a CLI
/// refuses to change it, where ignoring an unknown `keys` would widen the grant to every key.
public struct Grant: Codable, Hashable, Sendable, CustomStringConvertible {
    /// What the grant allows.
    public var access: Access
    /// The cells it covers.
    public var cells: CellPattern
    /// The keys it covers inside those cells; nil for every key. A policy written before key
    /// patterns existed has none.
    public var keys: KeyPattern?

    /// Makes a grant.
    public init(_ access: Access, on cells: CellPattern, keys: KeyPattern? = nil) {
        self.access = access
        self.cells = cells
        self.keys = keys
    }

    /// Whether the grant covers `scope` of a cell it covers.
    public func covers(_ scope: KeyScope) -> Bool {
        keys?.covers(scope) ?? true
    }

    public var description: String { "\(access.rawValue) on \(cells)" + (keys.map { " keys \($0)" } ?? "") }

    private enum CodingKeys: String, CodingKey {
        case access, cells, scope
    }

    /// A grant on some keys, as written: its cells and its keys.
    private struct Scope: Codable {
        var cells: CellPattern
        var keys: KeyPattern
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        access = try container.decode(Access.self, forKey: .access)
        if let scope = try container.decodeIfPresent(Scope.self, forKey: .scope) {
            guard !container.contains(.cells) else {
                throw DecodingError.dataCorruptedError(forKey: .cells, in: container, debugDescription: "a grant names its cells once: in scope, or alone")
            }
            (cells, keys) = (scope.cells, scope.keys)
        } else {
            cells = try container.decode(CellPattern.self, forKey: .cells)
            keys = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(access, forKey: .access)
        if let keys {
            try container.encode(Scope(cells: cells, keys: keys), forKey: .scope)
        } else {
            try container.encode(cells, forKey: .cells)
        }
    }
}

/// The colony's reserved cell names.
public enum Reserved {
    /// Whether `name` is reserved for the colony's own cells (it starts with `_`, as the
    /// directory `_directory` does).
    public static func isReserved(_ name: String) -> Bool {
        name.utf8.first == UInt8(ascii: "_")
    }
}
