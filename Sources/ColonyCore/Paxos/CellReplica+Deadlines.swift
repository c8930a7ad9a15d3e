/// When an awake replica next has something to do at a tick, so that its host ticks it then
/// and not at every tick in between (see `TickSchedule`).
///
/// The contract: `ticksUntilDue` is never later than the first tick at which `tick()` would
/// act (send, change role, rest, or change anything the next tick reads), as long as nothing
/// is handed to the replica meanwhile; it may be earlier. A tick that finds nothing due does
/// nothing but move the clock, so the ticks in between can be skipped and the clock moved on
/// by as many at once (`tick(elapsed:)`, `advanceClock(by:)`). A leader with anything in flight
/// (a proposal, a queued write, a read) is due at every tick, as before.
extension CellReplica {
    /// How many ticks from now this replica's tick is next due (at least one): what its host
    /// may skip until then; nil when nothing is due until it is handed something (a replica
    /// that is no voting member). Meaningless for a resting replica, which is not ticked.
    public var ticksUntilDue: UInt64? {
        let next = now + 1
        var due = UInt64.max
        switch role {
        case .leading:
            guard let deadline = leaderDeadline else { return 1 }
            due = deadline
        case .preparing(let prepare):
            due = min(electionDeadline, prepare.lastSentAt.saturatingAdding(options.retransmitTicks))
        case .polling:
            due = electionDeadline
        case .follower:
            if canVote, !isLeaving { due = electionDeadline }
        }
        if !isLeader, !hasState || knownChosenThrough > appliedThrough, let source = leaderHint ?? catchUpSource,
           source != node {
            // A tick takes a new leader for the source to ask, even before it asks again.
            let retry = source == catchUpSource ? lastCatchUpRequestAt.map { $0.saturatingAdding(options.catchUpRetryTicks) } : nil
            due = min(due, retry ?? next)
        }
        if damagedRenewal != nil, isMember, let leader = leaderHint, leader != node {
            due = min(due, lastRenewalRequestAt.map { $0.saturatingAdding(options.electionTimeoutTicks) } ?? next)
        }
        guard due != .max else { return nil }
        let late: UInt64 = options.defects.contains(.ticksDueLate) ? 2 : 0
        return max(due, next) - now + late
    }

    /// Moves the clock of an awake replica on by `ticks` at which nothing was due, before its
    /// host hands it something or ticks it: what it does next is timed as if it had been ticked
    /// at each. A leader that was busy at them notes the last as its last busy tick, as its
    /// tick would have (no tick in between changes whether it is busy: each tick at which that
    /// changes without a message is due).
    public mutating func advanceClock(by ticks: UInt64) {
        guard tombstone == nil, !isQuiescent, ticks > 0 else { return }
        now += ticks
        if isLeader, !leaderIsIdle { leaderState.lastBusyAt = now }
    }

    /// A leader's next due tick while it has nothing in flight (no proposal, queued write,
    /// read, stop sign or hand-off): its next confirmation round; the tick it rests at, if
    /// idle; the end of the windows that keep a woken leader, or one with a restarted member,
    /// awake; and the first tick at which a member it heard from lately drops out of an
    /// election timeout (which may leave it without a majority, or stop it waiting for that
    /// member). Nil for a leader with anything in flight, due at every tick.
    private var leaderDeadline: UInt64? {
        guard let state, let leader = leadership, !isLeaving, leader.proposals.isEmpty, leader.queue.isEmpty,
              leader.reads.isEmpty, leader.stopSignSlot == nil
        else { return nil }
        var due = leader.roundStartedAt.saturatingAdding(options.heartbeatIntervalTicks)
        if leaderIsIdle {
            due = min(due, leader.lastBusyAt.saturatingAdding(options.quiesceIdleTicks))
        }
        if let woke = leader.wokeAt, now - woke < options.electionTimeoutTicks {
            due = min(due, woke.saturatingAdding(options.electionTimeoutTicks))
        }
        if !leader.restartedUnheard.isEmpty, now - leader.restartNotedAt < options.restartedMemberWaitTicks {
            due = min(due, leader.restartNotedAt.saturatingAdding(options.restartedMemberWaitTicks))
        }
        for (index, member) in state.configuration.members.enumerated() where member != node {
            let heard = leader.lastHeard[index]
            if now - heard <= options.electionTimeoutTicks {
                due = min(due, heard.saturatingAdding(options.electionTimeoutTicks).saturatingAdding(1))
            }
        }
        return due
    }

    /// What a tick may change besides the clock and what it sends, for the audit of skipped
    /// ticks (`ReplicaOptions.auditsTickSchedule`): a tick that left it equal did nothing.
    var timerMark: TimerMark {
        var mark = TimerMark(
            electionDeadline: electionDeadline, leaderHint: leaderHint, catchUpSource: catchUpSource,
            lastCatchUpRequestAt: lastCatchUpRequestAt, lastRenewalRequestAt: lastRenewalRequestAt,
            handOffAskedAt: handOffAskedAt, isQuiescent: isQuiescent)
        switch role {
        case .follower: mark.role = "follower"
        case .polling: mark.role = "polling"
        case .preparing(let prepare): mark.role = "preparing since \(prepare.lastSentAt)"
        case .leading: mark.role = "leading"
        }
        if let leader = leadership {
            mark.leader = [leader.round, leader.roundStartedAt, leader.lastBusyAt]
        }
        return mark
    }
}

/// A replica's timers and role as `CellReplica.timerMark` reads them.
struct TimerMark: Equatable {
    var electionDeadline: UInt64
    var leaderHint: NodeID?
    var catchUpSource: NodeID?
    var lastCatchUpRequestAt: UInt64?
    var lastRenewalRequestAt: UInt64?
    var handOffAskedAt: UInt64
    var isQuiescent: Bool
    var role = ""
    /// A leader's round, when it started, and when the leader was last busy.
    var leader: [UInt64] = []
}
