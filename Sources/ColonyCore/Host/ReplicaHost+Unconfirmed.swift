/// A replica made for a peer's message about a cell this node did not host: who sent it
/// and when, until a snapshot confirms that this node is a member of the cell.
struct UnconfirmedReplica: Hashable, Sendable {
    /// The peer whose message made the replica, charged for it.
    var sender: NodeID
    /// The host's tick when it was made.
    var madeAt: UInt64
}

/// Replicas made on demand, bounded.
///
/// A node learns that it hosts a replica from a creation or from a membership change naming
/// it; it hears of the latter first from the cell's leader, whose messages reach it before
/// it has any of the cell. So a leader's or candidate's message for an unknown cell makes an
/// empty replica here (`PeerMessageBody.makesUnknownCell` says which), which asks the sender
/// for the cell. But anyone with a node
/// certificate can send such messages, for made-up cells, without end. So the replica is
/// *unconfirmed* until it installs a snapshot whose configuration names both this node and
/// the sender members of the cell:
/// - it persists nothing (not even that it waits to be renewed; that record is written with
///   the confirming snapshot, ahead of it), so a restart forgets it;
/// - at most `unconfirmedReplicasMax` exist on the node and `unconfirmedReplicasPerPeerMax`
///   for one sending peer; beyond, the message is refused and counted
///   (`unknownCellRefusals`);
/// - one not confirmed within `unconfirmedTicksMax` ticks is forgotten, and so is one whose
///   snapshot does not confirm it, or that hears its cell was deleted (no tombstone is kept
///   of a cell this node never held).
/// A replica of a cell the node was really added to is confirmed by the first snapshot its
/// leader sends; if it was forgotten meanwhile, the leader's next message makes it again.
extension ReplicaHost {
    /// Makes an unconfirmed replica of `cell` for `sender`'s message, or returns nil when the
    /// message carries a counter no replica adopts or the bounds are reached (counted).
    mutating func admitUnknownCell(_ cell: CellID, for body: PeerMessageBody, from sender: NodeID) -> Int? {
        guard body.largestCounter <= CounterBounds.adoptedMax else { return nil }
        guard unconfirmed.count < options.unconfirmedReplicasMax,
              unconfirmedPerPeer[sender, default: 0] < options.unconfirmedReplicasPerPeerMax
        else {
            unknownCellRefusals += 1
            return nil
        }
        // Its output would persist that it waits to be renewed: that waits for the confirmation.
        let (replica, _) = CellReplica.empty(cell: cell, node: node, options: sharedOptions, seed: random.next())
        unconfirmed[cell] = UnconfirmedReplica(sender: sender, madeAt: now)
        unconfirmedPerPeer[sender, default: 0] += 1
        return insert(replica)
    }

    /// How many replicas here wait to be confirmed.
    public var unconfirmedReplicaCount: Int { unconfirmed.count }

    /// After the unconfirmed replica at `position` handled a message from `sender`: the output
    /// to carry out, or nil when the replica was forgotten (its output with it). A replica
    /// still without the cell's state only sends; one whose snapshot confirms it persists
    /// that it waits to be renewed, ahead of the snapshot, and is a replica like any other.
    mutating func confirmOrForget(_ position: Int, _ output: ReplicaOutput, from sender: NodeID) -> ReplicaOutput? {
        let replica = replicas[position]
        guard replica.tombstone == nil else {
            forgetUnconfirmed(replica.cell)
            return nil
        }
        guard let configuration = replica.configuration else {
            precondition(output.persist.isEmpty, "Invalid state: unconfirmed replica of \(replica.cell.name) persists without the cell's state")
            return output
        }
        guard configuration.contains(node), configuration.contains(sender) else {
            forgetUnconfirmed(replica.cell)
            return nil
        }
        release(replica.cell)
        var confirmed = output
        if let renewal = replica.damagedRenewal {
            confirmed.persist.insert(.damaged(renewal: renewal), at: 0)
        }
        return confirmed
    }

    /// Drops the unconfirmed replica of `cell`, if there is one.
    mutating func forgetUnconfirmed(_ cell: CellID) {
        guard unconfirmed[cell] != nil, let position = positions[cell] else { return }
        release(cell)
        remove(at: position)
    }

    /// Drops the unconfirmed replicas that waited longer than `unconfirmedTicksMax`.
    mutating func forgetExpiredUnconfirmed() {
        let expired = unconfirmed.filter { now - $0.value.madeAt > options.unconfirmedTicksMax }.keys
        for cell in expired.sorted() {
            forgetUnconfirmed(cell)
        }
    }

    /// Ends the unconfirmed standing of `cell`'s replica, uncharging its sender.
    private mutating func release(_ cell: CellID) {
        guard let entry = unconfirmed.removeValue(forKey: cell) else { return }
        let remaining = unconfirmedPerPeer[entry.sender, default: 1] - 1
        unconfirmedPerPeer[entry.sender] = remaining == 0 ? nil : remaining
    }
}
