extension PeerMessageBody {
    /// The largest counter the message carries — an epoch, a ballot round, a slot, a heartbeat
    /// round or a revision, in its ballots, entries, configuration, snapshot or tombstone — so
    /// a replica can refuse one above `CounterBounds.adoptedMax` before it adopts any of it.
    public var largestCounter: UInt64 {
        switch self {
        case .poll(let ballot, let slot), .prepare(let ballot, let slot), .accepted(let ballot, let slot),
             .quiesce(let ballot, let slot):
            return max(ballot.largestCounter, slot)
        case .pollReply(let ballot, _), .takeOver(let ballot):
            return ballot.largestCounter
        case .promise(let ballot, let appliedThrough, let entries):
            return max(ballot.largestCounter, appliedThrough, entries.largestCounter)
        case .accept(let ballot, let slot, _, let commit):
            return max(ballot.largestCounter, slot, commit)
        case .reject(let attempted, let promised):
            return max(attempted.largestCounter, promised.largestCounter)
        case .heartbeat(let ballot, let commit, let round), .heartbeatReply(let ballot, let round, let commit):
            return max(ballot.largestCounter, commit, round)
        case .catchUpRequest(let fromSlot):
            return fromSlot
        case .catchUpEntries(let entries, let commit):
            return max(entries.largestCounter, commit)
        case .snapshot(let state):
            return max(state.configuration.largestCounter, state.appliedThrough, state.store.revision)
        case .staleEpoch(let configuration):
            return configuration.largestCounter
        case .renewal:
            return 0
        case .cellDeleted(let tombstone):
            return max(tombstone.configuration.largestCounter, tombstone.slot, tombstone.revision)
        }
    }
}

extension Ballot {
    /// The larger of the epoch and the round.
    var largestCounter: UInt64 { max(epoch, round) }
}

extension CellConfiguration {
    /// The larger of the epoch and the start slot.
    var largestCounter: UInt64 { max(epoch, startSlot) }
}

extension [SlotEntry] {
    /// The largest slot or ballot counter among the entries.
    var largestCounter: UInt64 {
        reduce(0) { Swift.max($0, $1.slot, $1.entry.ballot.largestCounter) }
    }
}
