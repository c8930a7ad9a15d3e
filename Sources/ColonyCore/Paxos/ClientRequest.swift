/// How fresh a read must be.
public enum ReadConsistency: Hashable, Sendable {
    /// The read sees every write that completed before it began: the leader answers it
    /// after confirming with a quorum that it still leads.
    case linearizable
    /// Any replica answers from what it has applied, which may be behind.
    case stale
}

/// A client's request to one cell.
public struct ClientRequest: Hashable, Sendable {
    /// The request's id: retries carry the same id.
    public var id: RequestID
    /// The cell asked.
    public var cell: CellID
    /// What to do.
    public var operation: CellOperation
    /// For reads, how fresh they must be; ignored for writes.
    public var consistency: ReadConsistency
    /// The configuration epoch the client's cache holds, if it has one; a replica in a newer
    /// epoch answers `staleEpoch` with the current members.
    public var expectedEpoch: Epoch?
    /// Whether the request may open a session at the cell (set until the client has had a
    /// reply from this cell, so a forgotten session is noticed rather than silently renewed).
    public var opensSession: Bool

    /// Makes a request.
    public init(
        id: RequestID, cell: CellID, operation: CellOperation, consistency: ReadConsistency = .linearizable,
        expectedEpoch: Epoch? = nil, opensSession: Bool = true
    ) {
        self.id = id
        self.cell = cell
        self.operation = operation
        self.consistency = consistency
        self.expectedEpoch = expectedEpoch
        self.opensSession = opensSession
    }
}

/// A replica's answer to a client request.
public struct ClientReply: Hashable, Sendable {
    /// The request answered.
    public var id: RequestID
    /// The cell that answered.
    public var cell: CellID
    /// What happened.
    public var outcome: ClientOutcome

    /// Makes a reply.
    public init(id: RequestID, cell: CellID, outcome: ClientOutcome) {
        self.id = id
        self.cell = cell
        self.outcome = outcome
    }
}

/// What became of a client request, as the client sees it.
public enum ClientOutcome: Hashable, Sendable {
    /// Definite: the operation went through the log (or, for a read, was answered) with this
    /// result; a failure certainly did not change the cell. A write's session now exists.
    case completed(Result<OperationResult, OperationError>)
    /// Definite: the leader refused the write before it reached the log (it breaks the
    /// cell's limits); it did not take effect and opened no session.
    case rejected(OperationError)
    /// This replica does not lead the cell; `leader` is its best guess. Earlier attempts of
    /// the request may still take effect, so a write must be retried with the same id.
    case redirect(leader: NodeID?, configuration: CellConfiguration?)
    /// The client named an older configuration epoch; here is the current one.
    case staleEpoch(CellConfiguration)
    /// The cell cannot answer now; retry later, with the same id for a write.
    case unavailable(UnavailableReason)
    /// The cell forgot the client's session, so it cannot tell whether this request was
    /// applied; the outcome is unknown and the client must start a new session.
    case sessionExpired
}

/// Why a replica could not serve a request just now.
public enum UnavailableReason: Hashable, Sendable, CustomStringConvertible {
    /// The replica is still fetching the cell's state.
    case catchingUp
    /// The leader's queue is full.
    case overloaded
    /// A membership change is being committed; new writes wait for the next epoch.
    case reconfiguring
    /// The replica stopped leading while the request was in flight.
    case leadershipLost
    /// The client's request was overtaken by a newer one of the same client.
    case superseded

    public var description: String {
        switch self {
        case .catchingUp: return "the replica is catching up with the cell; retry"
        case .overloaded: return "the cell's leader is overloaded; back off and retry"
        case .reconfiguring: return "the cell is changing its members; retry shortly"
        case .leadershipLost: return "the replica stopped leading the cell; retry at the new leader"
        case .superseded: return "a newer request of the same client overtook this one"
        }
    }
}
