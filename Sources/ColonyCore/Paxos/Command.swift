/// One entry of a slot's batch: what the cell's state machine applies.
public enum Command: Hashable, Sendable {
    /// A client's write (or a read-write transaction), named by its request id.
    case client(ClientCommand)
    /// Nothing; a new leader fills holes in the log with it.
    case noop

    /// A rough size in bytes, for batch limits.
    var approximateBytes: Int {
        switch self {
        case .client(let command): return 24 + command.operation.approximateBytes
        case .noop: return 1
        }
    }

    /// Whether the command is a stop sign: a membership change, which ends its epoch, or a
    /// deletion, which ends the cell.
    var isStopSign: Bool {
        if case .client(let command) = self {
            return command.operation.isStopSign
        }
        return false
    }
}

/// A client's write as it travels through the log.
public struct ClientCommand: Hashable, Sendable {
    /// The request's id; retries of the request carry the same id and are applied once.
    public var id: RequestID
    /// What to do.
    public var operation: CellOperation
    /// Whether the request may open a new session when the cell has none for its client.
    public var opensSession: Bool

    /// Makes a client command.
    public init(id: RequestID, operation: CellOperation, opensSession: Bool) {
        self.id = id
        self.operation = operation
        self.opensSession = opensSession
    }
}

/// The commands a leader chose for one slot, applied in order.
public typealias Batch = [Command]
