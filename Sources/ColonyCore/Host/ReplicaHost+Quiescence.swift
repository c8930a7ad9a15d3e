/// Which replicas a host ticks: the awake ones, each at the tick it is next due
/// (`TickSchedule`). A replica that goes quiescent is filed away (see `QuietCells`), and the
/// host wakes it before it hands it anything; see
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

    /// Readies the replica at `position` for the host to hand it a message, a request or an
    /// order: brings the clock of an awake one to the host's (see `TickSchedule`), and wakes a
    /// resting one. A follower of a leader whose node is gone wakes as such, and gives a
    /// candidate an election timeout before it stands itself when a peer's message woke it
    /// (`byPeer`: most likely that candidate's poll) or when another member is its cell's pick
    /// to stand first (`QuietCells.waitsForPick`). The host calls `settle` once it has handed
    /// it something (a replica only woken is due at the next tick already).
    mutating func prepareToHandle(_ position: Int, leaderLive: Bool = true, byPeer: Bool = false) {
        guard replicas[position].isQuiescent else {
            replicas[position].advanceClock(by: schedule.sync(position, now: now))
            return
        }
        let cell = replicas[position].cell
        unfile(position)
        quiet.queued.remove(cell)
        let live = leaderLive && quiet.standOnWake.remove(cell) == nil
        let waits = quiet.waitsForPick.remove(cell) != nil || byPeer
        replicas[position].wake(leaderLive: live, standsSoon: !waits)
        startTicking(position)
    }

    /// After the replica at `position` handled something: if it has just gone quiescent, the
    /// host stops ticking it and files it; if it is awake, the host files its next due tick.
    mutating func settle(_ position: Int) {
        guard quiet.isAwake(position) else { return }
        guard replicas[position].isQuiescent else {
            schedule.file(position, dueIn: replicas[position].ticksUntilDue, now: now)
            return
        }
        stopTicking(position)
        let replica = replicas[position]
        if replica.isLeader, let members = replica.configuration?.members {
            quiet.fileLed(replica.cell, members: members, except: node)
        } else if let leader = replica.leaderHint, leader != node {
            quiet.fileFollower(replica.cell, leader: leader, now: now)
        }
    }

    /// Starts ticking the replica at `position`, from the next tick.
    mutating func startTicking(_ position: Int) {
        quiet.markAwake(position)
        schedule.start(position, now: now)
    }

    /// Stops ticking the replica at `position`.
    mutating func stopTicking(_ position: Int) {
        quiet.markResting(position)
        schedule.stop(position)
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
        stopTicking(position)
    }

    /// Ticks every awake replica due at this tick (see `TickSchedule`), in the order they were
    /// filed, and files each again or, if it went quiescent, as resting.
    mutating func tickAwake(_ builder: inout HostOutputBuilder) {
        if options.auditsTickSchedule { auditSkippedTicks() }
        var deleted: [Int] = []
        for position in schedule.takeFiled(now: now) where schedule.isDue(position, now: now) {
            replicaTicks += 1
            let output = replicas[position].tick(elapsed: schedule.sync(position, now: now))
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

    /// Ticks a copy of every awake replica not due at this tick (but those woken at it), and
    /// notes each whose tick would have sent, replied, persisted, noted an event, or changed
    /// its role or a timer (`CellReplica.timerMark`) otherwise than moving its clock on
    /// (`advanceClock`) does: its `ticksUntilDue` named a later tick than its timers
    /// (`ReplicaOptions.auditsTickSchedule`).
    private mutating func auditSkippedTicks() {
        for position in quiet.awake where !schedule.isDue(position, now: now) {
            // A replica woken at this tick has its clock here already: its first tick is the next.
            let pending = schedule.pendingTicks(position, now: now)
            guard pending > 0 else { continue }
            var ticked = replicas[position]
            let output = ticked.tick(elapsed: pending)
            var skipped = replicas[position]
            skipped.advanceClock(by: pending)
            guard !output.isEmpty || ticked.timerMark != skipped.timerMark else { continue }
            skippedTicksThatActed.append("\(node)'s replica of \(ticked.cell) had something to do at host tick \(now) but was not due")
        }
    }
}
