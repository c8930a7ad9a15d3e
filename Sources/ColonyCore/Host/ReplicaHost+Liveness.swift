/// Failure detection per node, not per cell.
///
/// While a cell is quiescent its leader sends nothing, so its followers cannot tell a quiet
/// leader from a dead one by the cell's own messages. Instead every node that leads
/// quiescent cells sends each peer holding a member of one a liveness heartbeat every
/// `heartbeatIntervalTicks`, carrying the *incarnation* its process drew when it started.
/// A node whose quiescent followers trust a leader on peer `p` wakes them all when `p` is
/// silent for `livenessTimeoutTicks`, or announces another incarnation (it restarted, and
/// its replicas lead nothing): at most `wakesPerTick` each tick, so the death of a node that
/// led many cells turns into elections at a bounded rate. Silence also covers a peer that
/// stopped leading those cells without its followers hearing and sends nothing else here:
/// it stops sending heartbeats here once it leads no quiescent cell with a member here.
///
/// Silence means no frame at all, not only no heartbeat: every frame from `p` shows its node
/// alive when it sent it (`heard(from:)`). A heartbeat travels on the same connection as the
/// peer's other frames, behind them: while cells are made in bulk, or many elect at once,
/// thousands of frames can queue ahead of it, on the sender or unread here, for longer than
/// the timeout. Taking a live peer for dead then makes every follower of its cells stand at
/// once, which adds to the backlog that caused it (seen at 200,000 cells: three such losses
/// put 96,344 followers to stand while every node was alive).
///
/// A restarted node's replicas rest too, knowing no leader, and its damaged ones wait to
/// hear whom to fetch from. So a node that starts first sends a liveness heartbeat to every
/// peer it knows (`NodeCore.announce(to:)`), and a node that sees a peer's
/// incarnation change also wakes, at the same bounded rate, the quiescent leaders here of
/// cells with a member there: each brings that member up to date and rests again. Every
/// leader here of such a cell, resting or awake, stays awake until that member answers it or
/// `restartedMemberWaitTicks` pass (`CellReplica.memberRestarted`): a leader that rested on
/// the member's past report, while its messages to the restarted node were lost, would leave
/// a damaged member with no one to fetch from. So does a replica here that takes the lead
/// within `restartedMemberWaitTicks` of the restart: its predecessor may have gone before the
/// member answered.
extension ReplicaHost {
    /// A liveness heartbeat from peer `sender`, in its process's run `incarnation`.
    public mutating func receiveLiveness(from sender: NodeID, incarnation: UInt64) {
        heard(from: sender)
        noteIncarnation(of: sender, incarnation)
    }

    /// A frame from peer `sender`, of any kind: its node was alive when it sent it.
    public mutating func heard(from sender: NodeID) {
        if quiet.lastHeard[sender] != nil {
            quiet.lastHeard[sender] = now
        }
    }

    /// Any frame from peer `sender` names the incarnation of its process: another than the
    /// one last named means the peer restarted, and its replicas lead nothing, so the
    /// followers resting here that trust it must wake. Every frame carries it, so a node
    /// knows a peer's incarnation before any of that peer's `quiesce` messages reaches it.
    public mutating func noteIncarnation(of sender: NodeID, _ incarnation: UInt64) {
        if let known = quiet.incarnations[sender], known != incarnation {
            quiet.restartedAt[sender] = now
            leaderGone(sender, .restarted)
            quiet.memberRestarted(sender)
            tellLeaders(restarted: sender)
        }
        quiet.incarnations[sender] = incarnation
    }

    /// Tells every leader here of a cell with a member on `member`'s node, awake or resting,
    /// that the node restarted; the resting ones are queued to wake already.
    private mutating func tellLeaders(restarted member: NodeID) {
        for position in quiet.awake where replicas[position].isLeader {
            prepareToHandle(position)
            replicas[position].memberRestarted(member)
            settle(position)
        }
        for cell in quiet.ledCells[member] ?? [] {
            guard let position = positions[cell] else { continue }
            replicas[position].memberRestarted(member)
        }
    }

    /// The replica at `position` has just taken the lead: the members whose nodes restarted
    /// within `restartedMemberWaitTicks`, which its predecessor may have left unanswered, are
    /// owed what a leader owes a restarted member (`CellReplica.memberRestarted`).
    mutating func tellNewLeaderOfRestarts(_ position: Int) {
        guard let members = replicas[position].configuration?.members else { return }
        for member in members where member != node {
            guard let at = quiet.restartedAt[member], now - at < options.restartedMemberWaitTicks else { continue }
            replicas[position].memberRestarted(member)
        }
    }

    /// The peers that lead quiescent followers here and have been silent too long are gone,
    /// and so are the candidates that have not stood by their followers' deadlines; then
    /// up to `wakesPerTick` replicas of the wake queue wake (a tenth of that while the node
    /// keeps `awakeReplicasMax` replicas awake or more).
    mutating func wakeFollowersOfSilentLeaders() {
        let silent = quiet.lastHeard.filter { now - $0.value > options.livenessTimeoutTicks }
        for (leader, heard) in silent.sorted(by: { $0.key < $1.key }) {
            leaderGone(leader, .silent(ticks: now - heard))
        }
        quiet.passCandidateDeadlines(now: now)
        guard !quiet.wakeQueue.isEmpty else { return }
        let wakes = quiet.awake.count < options.awakeReplicasMax ? options.wakesPerTick : max(1, options.wakesPerTick / 10)
        for cell in quiet.takeWakes(wakes) {
            guard let position = positions[cell] else { continue }
            prepareToHandle(position, leaderLive: !quiet.standOnWake.contains(cell))
        }
    }

    /// Files `leader`'s followers here to stand, unless a test switched that off, and
    /// records the loss for the shell (`takeLeaderNodeLosses()`).
    private mutating func leaderGone(_ leader: NodeID, _ cause: LeaderNodeLoss.Cause) {
        guard !options.defects.contains(.quiescentFollowersTrustDeadLeader) else {
            quiet.lastHeard[leader] = nil
            return
        }
        let (replicas, positions, node) = (replicas, positions, node)
        let followers = quiet.leaderGone(leader) { cell in
            let members = positions[cell].flatMap { replicas[$0].configuration?.members }?.filter { $0 != leader } ?? []
            return !members.isEmpty && Self.firstCandidate(of: cell, among: members) == node
        }
        // A peer that restarts while nothing here trusts it to lead is no loss.
        if followers > 0 { leaderNodeLosses.append(LeaderNodeLoss(peer: leader, cause: cause, followers: followers)) }
    }

    /// The peers this host stopped trusting as leaders since the last call, oldest first.
    public mutating func takeLeaderNodeLosses() -> [LeaderNodeLoss] {
        defer { leaderNodeLosses.removeAll() }
        return leaderNodeLosses
    }

    /// The peers owed a liveness heartbeat this tick, in node order: every
    /// `heartbeatIntervalTicks`, those holding a member of a quiescent cell led here, or of a
    /// new cell whose first candidate this node is (see `ReplicaHost+FirstElections.swift`).
    mutating func peersOwedLiveness() -> [NodeID] {
        guard !quiet.ledCells.isEmpty, now - quiet.lastPingAt >= options.heartbeatIntervalTicks else { return [] }
        quiet.lastPingAt = now
        return quiet.ledCells.keys.sorted()
    }
}
