/// Which replicas a host ticks: the awake ones. A replica that goes quiescent is filed away
/// (see `QuietCells`), and the host wakes it before it hands it anything; see
/// `CellReplica+Quiescence.swift` for the protocol and `ReplicaHost+Liveness.swift` for how a
/// dead leader's followers wake.
extension ReplicaHost {
    /// How many replicas here rest (quiescent, or restored and not yet woken).
    public var quiescentCount: Int { replicas.count - quiet.awake.count }

    /// Every quiescent follower here with the node of the leader it trusts, in cell order;
    /// followers already queued to wake (their leader's node is gone) are not listed.
    public var trustedLeaders: [(cell: CellID, leader: NodeID)] {
        quiet.followersByLeader.flatMap { leader, cells in cells.map { (cell: $0, leader: leader) } }
            .sorted { $0.cell < $1.cell }
    }

    /// Wakes the replica at `position` if it rests, before the host hands it a message, a
    /// request or an order. A follower of a leader whose node is gone wakes as such, and
    /// gives a candidate an election timeout before it stands itself when a peer's message
    /// woke it (`byPeer`: most likely that candidate's poll) or when another member is its
    /// cell's pick to stand first (`QuietCells.waitsForPick`).
    mutating func wakeIfResting(_ position: Int, leaderLive: Bool = true, byPeer: Bool = false) {
        guard replicas[position].isQuiescent else { return }
        unfile(position)
        let cell = replicas[position].cell
        quiet.queued.remove(cell)
        let live = leaderLive && quiet.standOnWake.remove(cell) == nil
        let waits = quiet.waitsForPick.remove(cell) != nil || byPeer
        replicas[position].wake(leaderLive: live, standsSoon: !waits)
        quiet.markAwake(position)
    }

    /// After the replica at `position` handled something: if it has just gone quiescent, the
    /// host stops ticking it and files it.
    mutating func settle(_ position: Int) {
        guard replicas[position].isQuiescent, quiet.isAwake(position) else { return }
        quiet.markResting(position)
        let replica = replicas[position]
        if replica.isLeader, let members = replica.configuration?.members {
            quiet.fileLed(replica.cell, members: members, except: node)
        } else if let leader = replica.leaderHint, leader != node {
            quiet.fileFollower(replica.cell, leader: leader, now: now)
        }
    }

    /// Takes a resting replica out of the files `settle` put it in.
    private mutating func unfile(_ position: Int) {
        let replica = replicas[position]
        // A first candidacy here is filed as a quiescent leader is.
        let candidacy = quiet.firstCandidacies.remove(replica.cell) != nil
        if candidacy || replica.isLeader, let members = replica.configuration?.members {
            quiet.unfileLed(replica.cell, members: members, except: node)
        } else if let leader = replica.leaderHint {
            quiet.unfileFollower(replica.cell, leader: leader)
            quiet.awaitingCandidate[replica.cell] = nil
        }
    }

    /// Drops the replica at `position` from the host's bookkeeping before it is removed.
    mutating func forgetQuiet(_ position: Int) {
        if replicas[position].isQuiescent, !quiet.isAwake(position) {
            unfile(position)
            quiet.queued.remove(replicas[position].cell)
            quiet.standOnWake.remove(replicas[position].cell)
            quiet.waitsForPick.remove(replicas[position].cell)
        }
        quiet.markResting(position)
    }

    /// Ticks every awake replica, in the order they woke, and files those that go quiescent.
    mutating func tickAwake(_ builder: inout HostOutputBuilder) {
        var deleted: [Int] = []
        for position in quiet.awake {
            let output = replicas[position].tick()
            settle(position)
            if !output.isEmpty {
                builder.add(output, cell: replicas[position].cell)
                if replicas[position].tombstone != nil { deleted.append(position) }
            }
        }
        // Highest first: burying swaps the last replica into the freed position.
        for position in deleted.sorted(by: >) {
            buryIfDeleted(position)
        }
    }
}
