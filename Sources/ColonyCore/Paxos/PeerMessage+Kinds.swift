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
    /// (`ReplicaHost+Unconfirmed.swift`): a ballot owner's request, but for a poll from a
    /// candidate that has applied nothing. Such a poll is most likely a new cell's first
    /// election outrunning the cell's creation frame to this node; a replica made for it
    /// would be confirmed by the candidate's state as a member waiting to be renewed, which
    /// the creation frame then finds and leaves as it is, and which cannot vote until a
    /// leader renews it (a majority of such members and the cell never elects). A poll from a
    /// candidate that applied something still makes one: of a cell that lost every record
    /// here, it is how this node gets back a member holding the cell's state, so that an
    /// operator can force the cell when no leader can be elected.
    var makesUnknownCell: Bool {
        if case .poll(_, let appliedThrough) = self { return appliedThrough > 0 }
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
