extension PeerMessageBody {
    /// Whether the message brings the cell's state, chosen entries or deletion, which a
    /// replica takes only from a member or the node it asked (see `mayTakeCellState`).
    var carriesCellState: Bool {
        switch self {
        case .snapshot, .catchUpEntries, .cellDeleted:
            return true
        case .poll, .pollReply, .prepare, .promise, .accept, .accepted, .reject, .heartbeat, .heartbeatReply,
             .quiesce, .catchUpRequest, .staleEpoch, .renewal, .takeOver:
            return false
        }
    }

    /// Whether the message is a leader's or a candidate's request, sent under its own ballot
    /// and waiting for an answer (as opposed to an answer, or a catch-up message).
    var isBallotOwnersRequest: Bool {
        switch self {
        case .poll, .prepare, .accept, .heartbeat, .quiesce, .takeOver:
            return true
        case .pollReply, .promise, .accepted, .reject, .heartbeatReply, .catchUpRequest, .catchUpEntries, .snapshot,
             .staleEpoch, .renewal, .cellDeleted:
            return false
        }
    }

    /// Whether the message makes an unconfirmed replica of a cell this node does not host
    /// (`ReplicaHost+Unconfirmed.swift`): a ballot owner's request other than a poll. A poll
    /// asks nothing to be kept, and a replica made for one is confirmed by the candidate's
    /// state as a member waiting to be renewed, which cannot vote until a leader renews it.
    /// Creation frames trail a new cell's first polls when cells are made in bulk: with 7
    /// replicas on 9 nodes, members made that way outnumbered the healthy ones, and the
    /// creation frames that came after found the replicas there and changed nothing, so
    /// cells could never elect.
    var makesUnknownCell: Bool {
        if case .poll = self { return false }
        return isBallotOwnersRequest
    }

    /// Whether the message may leave before the records its replica persisted in this and
    /// every earlier output are durable: only a leader's `accept` (rule 3 of
    /// `ReplicaOutput`'s ordering contract says why that is safe). Everything else waits.
    public var mayLeaveBeforeDurable: Bool {
        switch self {
        case .accept:
            return true
        case .poll, .pollReply, .prepare, .promise, .accepted, .reject, .heartbeat, .heartbeatReply, .quiesce,
             .catchUpRequest, .catchUpEntries, .snapshot, .staleEpoch, .renewal, .takeOver, .cellDeleted:
            return false
        }
    }
}
