/// The identity of one node (one server process) in a colony.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number that names the node; unique within a colony.
    public var rawValue: UInt32

    /// Names the node numbered `rawValue`.
    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "n\(rawValue)" }
}

/// The name of one cell, chosen by the user (`vol-0a12`, `tenant/42`).
///
/// A name is 1 to `CellID.bytesMax` bytes of ASCII letters, digits and `-_./:`,
/// so it can travel in URLs, file names of operators' tools and log lines unquoted.
public struct CellID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The longest cell name accepted, in UTF-8 bytes.
    public static let bytesMax = 128

    /// The name as the user gave it.
    public let name: String

    /// Validates `name` and wraps it; throws a `CellIDError` that says what is wrong.
    public init(validating name: String) throws(CellIDError) {
        let bytes = name.utf8
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.bytesMax else { throw .tooLong(bytes: bytes.count, max: Self.bytesMax) }
        for byte in bytes where !Self.isAllowed(byte) {
            throw .invalidCharacter(name: name)
        }
        self.name = name
    }

    /// Wraps a name known to be valid (a literal in code or tests); traps otherwise.
    public init(_ name: String) {
        do {
            try self.init(validating: name)
        } catch {
            preconditionFailure("invalid cell name literal \(name): \(error)")
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        PlainName.allows(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ":")
    }

    public static func < (lhs: CellID, rhs: CellID) -> Bool {
        lhs.name < rhs.name
    }

    public var description: String { name }
}

/// Why a string is not a valid cell name.
public enum CellIDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name was empty.
    case empty
    /// The name was longer than `CellID.bytesMax` bytes.
    case tooLong(bytes: Int, max: Int)
    /// The name held a character other than ASCII letters, digits and `-_./:`.
    case invalidCharacter(name: String)

    public var description: String {
        switch self {
        case .empty:
            return "a cell name cannot be empty"
        case .tooLong(let bytes, let max):
            return "a cell name is \(bytes) bytes long; the limit is \(max)"
        case .invalidCharacter(let name):
            return "cell name \"\(name)\" may hold only ASCII letters, digits and -_./:"
        }
    }
}

/// The identity of one client session; the client library draws it at random.
public struct ClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64-bit number naming the client.
    public var rawValue: UInt64

    /// Names the client numbered `rawValue`.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: ClientID, rhs: ClientID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "c\(rawValue)" }
}

/// Names one request of one client to one cell: retries of a request carry the same id,
/// which is how a cell applies a retried write once. Sequences count per cell, so an id is
/// unique only together with its cell: match replies on both.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The client that sent the request.
    public var client: ClientID
    /// The request's number among the client's requests to this cell, from 1, growing by one.
    public var sequence: UInt64

    /// Names request `sequence` of `client`.
    public init(client: ClientID, sequence: UInt64) {
        self.client = client
        self.sequence = sequence
    }

    public var description: String { "\(client)#\(sequence)" }
}

/// The number of a cell's configuration; it grows by one on every membership change.
public typealias Epoch = UInt64

/// The index of one position in a cell's replicated log.
public typealias Slot = UInt64
