import ColonyAPI
import Foundation

/// Why an operation failed, as the client library reports it after its retries.
///
/// `outcomeUnknown` is the one to take care with: a write that ends in it may or may not
/// have taken effect.
public enum ColonyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No node reached hosts the cell.
    case cellNotFound(String)
    /// The cell was deleted: it holds no data, takes no requests, and its name is not reused.
    case cellDeleted(String)
    /// A watch's next changes are no longer kept by any member reached; every change after
    /// revision `through` is. List the keys and watch from the list's revision.
    case compacted(through: UInt64, String)
    /// A compare-and-set found something else: `current` is what the key holds (nil: absent).
    case conditionFailed(current: ColonyItem?)
    /// The request is malformed; retrying will not help.
    case invalidArgument(String)
    /// A key or value is over the cell's limit.
    case valueTooLarge(String)
    /// The cell is at its key or byte quota.
    case quotaExceeded(String)
    /// An increment found a value that is not a decimal integer.
    case notAnInteger(String)
    /// An increment would overflow.
    case integerOverflow(String)
    /// A transaction step failed; nothing was applied.
    case transactionStepFailed(String)
    /// The client may not do this.
    case unauthorized(String)
    /// A cell of that name already exists.
    case cellExists(String)
    /// The operation did not finish in time, or the cell forgot the session: a write may or
    /// may not have taken effect.
    case outcomeUnknown(String)
    /// The cell could not be reached or could not answer; nothing was applied.
    case unavailable(String)

    public var description: String {
        switch self {
        case .cellNotFound(let message): return "cell not found: \(message)"
        case .cellDeleted(let message): return "cell deleted: \(message)"
        case .compacted(let through, let message): return "changes compacted (kept after revision \(through)): \(message)"
        case .conditionFailed(let current):
            return current.map { "condition failed: the key holds version \($0.version)" } ?? "condition failed: the key is absent"
        case .invalidArgument(let message): return "invalid request: \(message)"
        case .valueTooLarge(let message): return "too large: \(message)"
        case .quotaExceeded(let message): return "quota exceeded: \(message)"
        case .notAnInteger(let message): return "not an integer: \(message)"
        case .integerOverflow(let message): return "integer overflow: \(message)"
        case .transactionStepFailed(let message): return "transaction step failed: \(message)"
        case .unauthorized(let message): return "unauthorized: \(message)"
        case .cellExists(let message): return "cell exists: \(message)"
        case .outcomeUnknown(let message): return "outcome unknown (a write may have taken effect): \(message)"
        case .unavailable(let message): return "unavailable: \(message)"
        }
    }

    /// The error's kind without its message, as a span's status names it: `cellNotFound`,
    /// `conditionFailed`, `outcomeUnknown`, … (the names of the API's error codes where
    /// they match).
    public var name: String {
        switch self {
        case .cellNotFound: "cellNotFound"
        case .cellDeleted: "cellDeleted"
        case .compacted: "compacted"
        case .conditionFailed: "conditionFailed"
        case .invalidArgument: "invalidArgument"
        case .valueTooLarge: "valueTooLarge"
        case .quotaExceeded: "quotaExceeded"
        case .notAnInteger: "notAnInteger"
        case .integerOverflow: "integerOverflow"
        case .transactionStepFailed: "transactionStepFailed"
        case .unauthorized: "unauthorized"
        case .cellExists: "cellExists"
        case .outcomeUnknown: "outcomeUnknown"
        case .unavailable: "unavailable"
        }
    }

    /// The name of `error`: a client error's `name`, else its type's (`CancellationError`).
    static func name(of error: any Error) -> String {
        (error as? ColonyError)?.name ?? "\(type(of: error))"
    }

    /// The client error for a definite API error (not the retryable ones).
    init(_ error: Colony_V1_Error) {
        switch error.code {
        case .cellNotFound: self = error.cellDeleted ? .cellDeleted(error.message) : .cellNotFound(error.message)
        case .conditionFailed: self = .conditionFailed(current: error.hasCurrent ? ColonyItem(error.current) : nil)
        case .invalidArgument: self = .invalidArgument(error.message)
        case .valueTooLarge: self = .valueTooLarge(error.message)
        case .quotaExceeded: self = .quotaExceeded(error.message)
        case .notAnInteger: self = .notAnInteger(error.message)
        case .integerOverflow: self = .integerOverflow(error.message)
        case .transactionStepFailed: self = .transactionStepFailed(error.message)
        case .unauthorized: self = .unauthorized(error.message)
        case .cellExists: self = .cellExists(error.message)
        case .compacted: self = .compacted(through: error.compactedThrough, error.message)
        case .slowConsumer: self = .unavailable(error.message)
        case .sessionExpired: self = .outcomeUnknown(error.message)
        case .unspecified, .notLeader, .staleEpoch, .unavailable, .UNRECOGNIZED:
            self = .unavailable(error.message)
        }
    }
}

/// A node that may not decide a call named the nodes that may (client addresses); the
/// client follows it.
struct Redirect: Error {
    var members: [String]
}

/// A key with its value and version.
public struct ColonyItem: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value's bytes.
    public var value: [UInt8]
    /// The revision of the change that last wrote the key.
    public var version: UInt64

    /// The value as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: value, as: UTF8.self) }

    init(_ item: Colony_V1_KeyValue) {
        key = item.key
        value = Array(item.value)
        version = item.version
    }
}
