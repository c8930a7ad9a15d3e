/// A key inside a cell: a UTF-8 string compared and ordered by its bytes.
///
/// Keys compare by their UTF-8 bytes rather than by Swift's Unicode-aware `String`
/// comparison, so every replica, on every toolchain, orders and matches keys the same way.
public struct Key: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The key as text.
    public let string: String

    /// Wraps `string` as a key; limits are checked by the cell that stores it.
    public init(_ string: String) {
        self.string = string
    }

    /// Wraps a string literal as a key.
    public init(stringLiteral value: String) {
        self.string = value
    }

    /// The key's length in UTF-8 bytes, the unit every key limit is counted in.
    public var byteCount: Int { string.utf8.count }

    /// Whether the key's bytes begin with `prefix`'s bytes.
    public func hasPrefix(_ prefix: Key) -> Bool {
        string.utf8.starts(with: prefix.string.utf8)
    }

    public static func == (lhs: Key, rhs: Key) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in string.utf8 {
            hasher.combine(byte)
        }
    }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    public var description: String { string }
}

/// The bytes stored under a key.
public typealias Bytes = [UInt8]

/// The number a cell gives each change: it grows by one on every change to the cell,
/// and a key's version is the revision of the change that last wrote it.
public typealias Revision = UInt64
