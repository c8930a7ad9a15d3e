/// The timing and the bounds of a replica. Time is counted in ticks: the driver decides how
/// long a tick is (the simulator and the node both use 10 ms).
public struct ReplicaOptions: Hashable, Sendable {
    /// How often a leader sends heartbeats (each one a confirmation round).
    public var heartbeatIntervalTicks: UInt64 = 10
    /// How long a follower waits without hearing from a leader before it stands; also how
    /// long a leader keeps leading without hearing from a majority.
    public var electionTimeoutTicks: UInt64 = 30
    /// The most ticks added at random to each election timeout, so candidates rarely collide.
    public var electionJitterTicks: UInt64 = 30
    /// How long before an unanswered accept, prepare or confirmation round is sent again.
    public var retransmitTicks: UInt64 = 3
    /// How long before an unanswered catch-up request is sent again.
    public var catchUpRetryTicks: UInt64 = 5
    /// How long a leader with nothing to do, whose members have all applied what it applied,
    /// waits before its cell goes quiescent: no ticks, no heartbeats, no election timers,
    /// until a request, a message or a dead leader's node wakes it.
    public var quiesceIdleTicks: UInt64 = 20
    /// How long a node goes without a frame from a peer that leads quiescent cells it follows
    /// before it wakes those cells; a peer sends a liveness heartbeat every heartbeat interval.
    /// A node process uses 300 (`ColonyNodeServer.Options`); the simulator and the tests use
    /// this default, which lets a short simulated run see a dead node's followers stand.
    public var livenessTimeoutTicks: UInt64 = 50
    /// How long a leader stays awake for a member whose node restarted and that has not
    /// answered it since: longer than a peer link takes to reopen (its backoff grows to 2 s),
    /// so the leader's messages reach a member that came back damaged and knows no one to
    /// fetch from. A member silent for longer is taken for down, as any silent member is.
    public var restartedMemberWaitTicks: UInt64 = 300
    /// The most resting replicas a node wakes in one tick to stand or to speak: followers
    /// after their leader's node died or restarted, leaders after a member's node restarted,
    /// new cells' first candidates. A node's failure, or cells made in bulk, turn into
    /// elections at a bounded rate.
    public var wakesPerTick: Int = 200
    /// The awake replicas past which a node wakes only a tenth of `wakesPerTick` a tick from
    /// its queue (at least one): every awake replica costs work (a leader is ticked at every
    /// tick while it has anything in flight, and every awake replica sends and answers), so a
    /// node that keeps too many awake falls behind its clock, and its peers and followers take
    /// it for dead.
    /// No bound by default; a node process sets one (`ColonyNodeServer.Options`).
    public var awakeReplicasMax: Int = .max
    /// How long a new cell's resting replica waits for the cell's first candidate before it
    /// stands itself (see `ReplicaHost+FirstElections.swift`): long enough for a candidate
    /// whose node queued many candidacies (at `wakesPerTick` a tick) to reach this one, short
    /// enough that a cell whose candidate never heard of it gets a leader. While a node keeps
    /// `awakeReplicasMax` replicas awake it wakes a tenth as many, and followers of cells far
    /// down its queue may stand before their candidate does.
    public var candidateWaitTicks: UInt64 = 1_000
    /// The most slots a leader has proposed but not yet applied.
    public var pipelineDepthMax: Int = 8
    /// The most commands in one slot's batch.
    public var batchCommandsMax: Int = 64
    /// The most bytes (roughly) in one slot's batch.
    public var batchBytesMax: Int = 256 * 1024
    /// The most writes a leader holds that are waiting for a slot or for their slot to be chosen.
    public var pendingWritesMax: Int = 1_024
    /// The most linearizable reads a leader holds waiting for confirmation.
    public var pendingReadsMax: Int = 1_024
    /// How many applied slots between snapshots.
    public var snapshotIntervalSlots: UInt64 = 64
    /// The most entries in one catch-up message.
    public var catchUpEntriesMax: Int = 64
    /// How far past its last snapshot a replica stores accepted slots.
    public var logSlotsMax: UInt64 = 1_024
    /// The most recent changes a replica keeps in memory for watchers (its `ChangeFeed`); a
    /// watch from an older revision is refused as compacted.
    public var changesKeptMax: Int = 1_000
    /// The most bytes of keys and values a replica's change feed keeps: with the cell's own
    /// `cellBytesMax`, what one active replica may hold in memory.
    public var changeBytesKeptMax: Int = 1024 * 1024
    /// The most unconfirmed replicas a node keeps: replicas of cells it learned of only from
    /// a peer's message, not yet confirmed by a snapshot naming it a member. They persist
    /// nothing; past the bound, messages for further unknown cells are refused and counted.
    public var unconfirmedReplicasMax: Int = 1_024
    /// The most unconfirmed replicas one peer's messages may have made on a node.
    public var unconfirmedReplicasPerPeerMax: Int = 256
    /// How long an unconfirmed replica waits for its snapshot before the node forgets it (a
    /// later message of its cell's leader makes it again).
    public var unconfirmedTicksMax: UInt64 = 1_000
    /// Deliberate defects, for tests that prove the simulator and checker catch them.
    @_spi(Testing) public var defects: Set<Defect> = []
    /// For tests: at every tick a host also ticks a copy of each awake replica it skips (not
    /// due: see `TickSchedule`) and notes each whose tick would have done something
    /// (`ReplicaHost.skippedTicksThatActed`), so the simulator checks every replica's
    /// `ticksUntilDue` against what its tick does.
    @_spi(Testing) public var auditsTickSchedule = false

    /// Makes the default options.
    public init() {}

    /// Checks that the options make sense together; throws a message naming the bad one.
    public func validate() throws(ReplicaOptionsError) {
        guard heartbeatIntervalTicks >= 1 else { throw .invalid("heartbeatIntervalTicks must be at least 1") }
        guard electionTimeoutTicks > heartbeatIntervalTicks * 2 else {
            throw .invalid("electionTimeoutTicks must exceed two heartbeat intervals")
        }
        guard retransmitTicks >= 1, catchUpRetryTicks >= 1 else { throw .invalid("retry intervals must be at least 1 tick") }
        guard quiesceIdleTicks >= 1, wakesPerTick >= 1, candidateWaitTicks >= 1, awakeReplicasMax >= 1 else {
            throw .invalid("quiesceIdleTicks, wakesPerTick, candidateWaitTicks and awakeReplicasMax must be at least 1")
        }
        guard livenessTimeoutTicks > heartbeatIntervalTicks * 2 else {
            throw .invalid("livenessTimeoutTicks must exceed two heartbeat intervals")
        }
        guard pipelineDepthMax >= 1, batchCommandsMax >= 1, batchBytesMax >= 1 else {
            throw .invalid("pipeline and batch limits must be at least 1")
        }
        guard pendingWritesMax >= 1, pendingReadsMax >= 1 else { throw .invalid("pending limits must be at least 1") }
        guard snapshotIntervalSlots >= 1, catchUpEntriesMax >= 1 else {
            throw .invalid("snapshot interval and catch-up size must be at least 1")
        }
        guard changesKeptMax >= 1, changeBytesKeptMax >= 1 else {
            throw .invalid("changesKeptMax and changeBytesKeptMax must be at least 1")
        }
        guard unconfirmedReplicasMax >= 1, unconfirmedReplicasPerPeerMax >= 1, unconfirmedTicksMax >= 1 else {
            throw .invalid("unconfirmedReplicasMax, unconfirmedReplicasPerPeerMax and unconfirmedTicksMax must be at least 1")
        }
        guard logSlotsMax > snapshotIntervalSlots + UInt64(pipelineDepthMax) else {
            throw .invalid("logSlotsMax must exceed snapshotIntervalSlots plus pipelineDepthMax")
        }
    }
}

/// Replica options held once and shared: every replica of a host refers to its host's, so
/// each pays one word for them rather than a copy of some 170 bytes.
public final class SharedReplicaOptions: Sendable {
    /// The options.
    public let value: ReplicaOptions

    /// Holds `value` for the replicas that share it.
    public init(_ value: ReplicaOptions) {
        self.value = value
    }
}

/// Why a set of replica options was refused.
public enum ReplicaOptionsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An option was out of range; the text names it.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text): return "invalid replica options: \(text)"
        }
    }
}

/// A deliberately broken behaviour of the core. Each one removes one safety mechanism;
/// tests switch them on to show that the simulator and the checker notice. Never set in
/// production: the `colony` command has no way to set them.
@_spi(Testing) public enum Defect: Hashable, Sendable, CaseIterable {
    /// An acceptor accepts a proposal without checking it against its promise.
    case acceptIgnoresPromise
    /// A new leader ignores the values reported in promises and proposes its own.
    case leaderIgnoresPromisedValues
    /// A leader answers linearizable reads without confirming it still leads.
    case readsSkipConfirmation
    /// A leader treats a minority of acceptances as chosen.
    case minorityQuorum
    /// The cell forgets which requests it applied, so a retried write applies twice.
    case skipDeduplication
    /// A replica does not persist its promises, so a restart forgets them.
    case promisesNotPersisted
    /// A replica that lost its stored state votes as soon as it has fetched the cell's
    /// state, without waiting to be renewed.
    case emptyReplicasVote
    /// A damaged replica forced to vote again (`CellReplica.forceHeal()`) starts from no
    /// promise, as if it had never promised anything, instead of above every ballot it saw.
    case forcedHealWithoutFloor
    /// The node sends a replica's messages and replies before its log has made the records
    /// behind them durable, so a crash can take back a promise, a vote or an acknowledged
    /// write. (The core cannot break this itself: it is the contract of whoever runs it.)
    case sendsBeforeDurable
    /// A leader counts its own vote for a slot as soon as it proposes it, not once its record
    /// of the slot is durable. Its `accept`s leave before that record is durable, so a
    /// follower's answer can choose the slot with the leader's vote still unwritten, and the
    /// next `accept`'s commit point makes followers apply a slot that a crash of the leader
    /// leaves on a minority, where a new leader may choose another value.
    case countsOwnVoteBeforeDurable
    /// A leader woken from quiescence by a read takes its leadership as confirmed ("nothing
    /// happened while the cell was quiet") and answers without a confirmation round.
    case quiescentReadsSkipConfirmation
    /// A node never wakes the quiescent followers of a peer whose liveness heartbeats stop or
    /// whose process restarted: they keep trusting a leader that is gone.
    case quiescentFollowersTrustDeadLeader
    /// A leader goes quiescent with a member whose node restarted and has not answered it
    /// since, trusting what that member's past run reported: a member that came back damaged,
    /// whose messages from the leader were lost while its peers reconnected, then hears no one
    /// and never fetches the cell.
    case leaderRestsBeforeRestartedMemberAnswers
    /// A node asked again to create a cell it hosts already answers that it exists without
    /// telling the other members again, so a creation whose frames were lost with a crash
    /// leaves the cell on fewer than a majority for good.
    case creationAskedAgainTellsNoOne
    /// A replica names its next due tick two ticks after its first timer runs out, so its host
    /// skips a tick at which it had something to do (caught by `auditsTickSchedule`).
    case ticksDueLate
}
