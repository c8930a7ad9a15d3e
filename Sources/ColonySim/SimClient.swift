import ColonyCore

/// One simulated client: it runs one operation at a time against the colony, retrying under
/// the same request id as the production `RetryMachine` decides, and records an operation it
/// gave up on as unknown (a write) or failed (a read).
struct SimClient {
    /// The history's process number; a client whose operation ended unknown takes a new one.
    var process: Int
    /// The session id the client presents to cells.
    var clientID: ClientID
    /// Whether its operations go into the history (the operator's moves do not).
    let recordsHistory: Bool
    /// Whether it is one of the clients that read every key once the faults have healed.
    var readsFinalState = false
    /// The client's own discovery cache: what it believes of each cell, by cell index. Each
    /// client learns on its own, so some act on stale beliefs, as real clients do.
    var cache: [CachedCell]
    /// The last request number used with each cell, by cell index.
    var sequences: [Int: UInt64] = [:]
    /// Cells that have answered this client, so its session there exists.
    var cellsWithSession: Set<Int> = []
    /// The operation in flight, if any.
    var current: ClientOperation?
    /// Names the latest timer; an older timer that fires is ignored.
    var token: UInt64 = 0

    /// The request for `planned`, numbered as the next request to its cell.
    mutating func makeRequest(for planned: PlannedOperation, cell: CellID, epoch: Epoch?) -> ClientRequest {
        let sequence = (sequences[planned.cellIndex] ?? 0) + 1
        sequences[planned.cellIndex] = sequence
        return ClientRequest(
            id: RequestID(client: clientID, sequence: sequence), cell: cell, operation: planned.operation,
            consistency: planned.consistency, expectedEpoch: epoch,
            opensSession: !cellsWithSession.contains(planned.cellIndex))
    }
}

/// An operation a client has in flight.
struct ClientOperation {
    var planned: PlannedOperation
    var request: ClientRequest
    var startedAt: UInt64
    /// Where its retries stand: the attempt in flight or the pause before the next.
    var retry: RetryMachine<NodeID>
}
