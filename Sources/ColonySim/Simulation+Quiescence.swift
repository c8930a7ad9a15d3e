import ColonyCore

extension Simulation {
    /// Before the final reads, once every fault has healed and the clients' last operations
    /// had their deadline to end: counts the replicas at rest, and fails the run for every
    /// quiescent follower that still trusts a leader which cannot speak for its cell any more
    /// — its node down or gone, or its replica there resting without leading (restarted) —
    /// when no replica on a node that is up leads the cell either. Nothing would wake such a
    /// cell but a request: it would have no leader while it is idle, and the first request
    /// would wait for an election. (A follower that missed every message of a newer leader,
    /// under partitions and loss, may still trust the old one while the newer one leads: it
    /// is woken by that leader's next message, or by the others' polls if it dies.) A
    /// leader's node that went down lately is not judged: its followers get twice the
    /// liveness timeout, on the slowest clock a node may have, to notice.
    mutating func checkQuiescentTrust() {
        let notice = 2 * options.replica.livenessTimeoutTicks * options.tick * 12 / 10
        for index in nodes.indices {
            guard let host = nodes[index].core?.host else { continue }
            statistics.restingReplicasAtEnd += host.quiescentCount
            statistics.replicasAtEnd += host.replicaCount
            for (cell, leader) in host.trustedLeaders where !mayStillLead(leader, cell) && !isLed(cell) {
                guard let leaderIndex = nodes.firstIndex(where: { $0.id == leader }),
                      now - (nodes[leaderIndex].wentDownAt ?? 0) >= notice
                else { continue }
                let there = nodes[leaderIndex].host?.replica(cell)
                let why = !nodes[leaderIndex].isUp ? "down" : there == nil ? "no replica there" : "its replica there rests without leading"
                statistics.staleQuiescentTrust.append(
                    "\(nodes[index].id)'s quiescent replica of \(cell) still trusts leader \(leader), which cannot lead it: \(why) (t=\(now / Nanoseconds.millisecond) ms)")
            }
        }
    }

    /// Whether a replica of `cell` on a node that is up leads it.
    private func isLed(_ cell: CellID) -> Bool {
        nodes.contains { $0.host?.replica(cell)?.isLeader == true }
    }

    /// Whether `leader`'s replica of `cell` leads it or may still speak for it: its node is
    /// up and the replica is awake or leads.
    private func mayStillLead(_ leader: NodeID, _ cell: CellID) -> Bool {
        guard let index = nodes.firstIndex(where: { $0.id == leader }), let host = nodes[index].core?.host,
              let replica = host.replica(cell)
        else { return false }
        return replica.isLeader || !replica.isQuiescent
    }
}
