/// The cell's memory of each client's latest write, which makes writes exactly-once.
///
/// A client numbers its requests to a cell 1, 2, 3, … and has one in flight at a time. The
/// cell keeps, per client, the highest number applied and its result. A request with that
/// number again is a retry: it gets the kept result and is not applied twice. A lower number
/// is a request the client has given up on: it is never applied. The table is bounded by
/// `CellLimits.sessionsMax`; the session used least recently (by slot) is forgotten first,
/// and a later request of a forgotten client that does not open a session is refused as
/// `sessionExpired`, because the cell can no longer tell whether it was applied.
public struct ClientSessions: Hashable, Sendable {
    struct Session: Hashable, Sendable {
        var lastSequence: UInt64
        var lastResult: Result<OperationResult, OperationError>
        var lastSlot: Slot
    }

    var sessions: [ClientID: Session] = [:]

    /// Makes an empty table.
    public init() {}

    /// How many clients the cell remembers.
    public var count: Int { sessions.count }

    /// What the table says of a request before it is applied.
    enum Verdict: Equatable {
        /// The request is new: apply it.
        case apply
        /// The request was applied before with this result.
        case duplicate(Result<OperationResult, OperationError>)
        /// The client has moved past this request; it must not be applied.
        case superseded
        /// The client's session was forgotten; whether the request was applied is unknown.
        case expired
    }

    /// Judges request `id` against the table.
    func verdict(for id: RequestID, opensSession: Bool) -> Verdict {
        guard let session = sessions[id.client] else {
            return opensSession ? .apply : .expired
        }
        if id.sequence == session.lastSequence { return .duplicate(session.lastResult) }
        if id.sequence < session.lastSequence { return .superseded }
        return .apply
    }

    /// Records that request `id` was applied at `slot` with `result`, forgetting the least
    /// recently used session if the table is over `sessionsMax`.
    mutating func record(_ id: RequestID, result: Result<OperationResult, OperationError>, slot: Slot, sessionsMax: Int) {
        sessions[id.client] = Session(lastSequence: id.sequence, lastResult: result, lastSlot: slot)
        while sessions.count > sessionsMax, let oldest = leastRecentlyUsed() {
            sessions[oldest] = nil
        }
    }

    /// The session with the oldest slot, ties broken by client id, so every replica picks the same.
    private func leastRecentlyUsed() -> ClientID? {
        var oldest: (slot: Slot, client: ClientID)?
        for (client, session) in sessions {
            if let current = oldest, (current.slot, current.client.rawValue) <= (session.lastSlot, client.rawValue) {
                continue
            }
            oldest = (session.lastSlot, client)
        }
        return oldest?.client
    }
}
