/// A new cell's first election, paced.
///
/// A new cell has no leader. Were every replica of it to stand once its election timeout
/// passed, cells created in bulk would hold their first elections all at once, each with
/// every member standing against the others: at 200,000 cells on three nodes that storm
/// never settled. Instead one member, the *first candidate*, picked from the cell's name so
/// that every node picks alike and the cells' first leaders spread over the nodes, stands:
///
/// 1. Every replica of a new cell rests from its creation.
/// 2. The first candidate's replica joins the host's wake queue, which wakes at most
///    `wakesPerTick` replicas a tick; woken, it stands at once (a poll, then phase 1). Until
///    then it is filed as a quiescent leader is, so its node sends the other members' nodes
///    liveness heartbeats.
/// 3. The others rest as quiescent followers of the first candidate. They answer its poll at
///    rest (were they woken, each would stand itself an election timeout after a failed
///    election); its phase 1 or any later message wakes them; a request sent to one is
///    redirected to it, and wakes it there.
///    Its node going silent or restarting wakes them as it wakes any quiescent follower, and
///    they stand themselves. So does `candidateWaitTicks` passing without a word from
///    the candidate: its node's liveness heartbeats vouch for the node, not for the
///    candidacy (the node may never have had the creation frame, or may have restarted and
///    forgotten the candidacy), so a waiting follower gives it that long at most, then joins
///    the wake queue to stand.
/// 4. Until the cell's first leader speaks, its waiting followers count as replicas without
///    a leader, and list none, though they redirect requests to the candidate.
///
/// Only liveness leans on this: the first candidate wins or loses its election by the same
/// ballots and majorities as any candidate.
extension ReplicaHost {
    /// The member of a cell that stands first, among `members`: a hash of the cell's name
    /// (FNV-1a), the same on every node, picks one. Among a new cell's members it is the
    /// first candidate; among the members but the leader, when the leader's node is gone, the
    /// one its followers let stand first (`QuietCells.leaderGone`).
    public static func firstCandidate(of cell: CellID, among members: [NodeID]) -> NodeID {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in cell.name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return members[Int(hash % UInt64(members.count))]
    }

    /// Puts the just-created replica of `cell` to rest until its first election: queued to
    /// stand if this node is its first candidate, filed as a follower of that candidate if not.
    mutating func awaitFirstElection(_ cell: CellID) {
        guard let position = positions[cell], let members = replicas[position].configuration?.members else { return }
        let candidate = Self.firstCandidate(of: cell, among: members)
        guard replicas[position].awaitCandidate(candidate) else { return }
        stopTicking(position)
        if candidate == node {
            quiet.fileFirstCandidacy(cell, members: members, except: node)
        } else {
            quiet.fileAwaitingFollower(cell, candidate: candidate, now: now, deadline: now + options.candidateWaitTicks)
        }
    }

    /// Whether the replica of `cell` here waits for its first candidate to stand: it names that
    /// candidate as its leader, not elected yet.
    func awaitsCandidate(_ cell: CellID) -> Bool {
        quiet.awaitingCandidate[cell] != nil
    }
}
