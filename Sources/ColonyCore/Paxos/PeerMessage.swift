/// A message from one replica of a cell to another replica of the same cell.
public struct PeerMessage: Hashable, Sendable {
    /// The cell both replicas belong to.
    public var cell: CellID
    /// What the message says.
    public var body: PeerMessageBody

    /// Makes a message for `cell`.
    public init(cell: CellID, body: PeerMessageBody) {
        self.cell = cell
        self.body = body
    }
}

/// The messages of Colony's multi-Paxos, one case per step of the protocol.
///
/// Every message that carries a ballot also carries its epoch (the ballot's first field), so
/// a replica in a newer configuration can tell a stale sender at once.
public enum PeerMessageBody: Hashable, Sendable {
    /// Pre-vote: "would you support a candidate with this ballot?" Changes no state.
    case poll(Ballot, appliedThrough: Slot)
    /// The answer to a poll.
    case pollReply(Ballot, granted: Bool)
    /// Phase 1a: promise this ballot and report what you accepted from `fromSlot` on.
    case prepare(Ballot, fromSlot: Slot)
    /// Phase 1b: the promise, with the sender's applied point and its entries after it.
    case promise(Ballot, appliedThrough: Slot, entries: [SlotEntry])
    /// Phase 2a: accept `batch` for `slot`; `commit` is the leader's applied point.
    case accept(Ballot, slot: Slot, batch: Batch, commit: Slot)
    /// Phase 2b: the sender accepted the leader's batch for `slot`.
    case accepted(Ballot, slot: Slot)
    /// The sender refused `attempted` because it promised `promised`, a higher ballot.
    case reject(attempted: Ballot, promised: Ballot)
    /// The leader's heartbeat, which is also a round confirming it still leads.
    case heartbeat(Ballot, commit: Slot, round: UInt64)
    /// The answer to a heartbeat: the sender still follows this ballot.
    case heartbeatReply(Ballot, round: UInt64, appliedThrough: Slot)
    /// The leader of this ballot has nothing to do and every member it hears from has applied
    /// through `commit`: a follower that has too stops its election timer and rests until its
    /// cell wakes (see `CellReplica+Quiescence.swift`).
    case quiesce(Ballot, commit: Slot)
    /// "Send me the chosen slots from `fromSlot` on" (0 asks for a snapshot).
    case catchUpRequest(fromSlot: Slot)
    /// Chosen entries, in order, and the sender's applied point.
    case catchUpEntries([SlotEntry], commit: Slot)
    /// The sender's whole state, for a replica too far behind for entries.
    case snapshot(CellState)
    /// The sender is in a newer epoch than the message it got; this is its configuration.
    case staleEpoch(CellConfiguration)
    /// A member that lost its stored state asks the leader to renew it, under this request id.
    case renewal(RequestID)
    /// The leader of this ballot is going away: "stand for election now" (see `handOff()`).
    case takeOver(Ballot)
    /// The cell was deleted; the receiver adopts the tombstone and drops its replica's data.
    case cellDeleted(CellTombstone)

    /// The ballot the message carries, if any.
    public var ballot: Ballot? {
        switch self {
        case .poll(let ballot, _), .pollReply(let ballot, _), .prepare(let ballot, _), .promise(let ballot, _, _),
             .accept(let ballot, _, _, _), .accepted(let ballot, _), .reject(let ballot, _),
             .heartbeat(let ballot, _, _), .heartbeatReply(let ballot, _, _), .quiesce(let ballot, _), .takeOver(let ballot):
            return ballot
        case .catchUpRequest, .catchUpEntries, .snapshot, .staleEpoch, .renewal, .cellDeleted:
            return nil
        }
    }
}
