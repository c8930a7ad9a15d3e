/// One replica of one cell: Colony's multi-Paxos, as a pure state machine.
///
/// ## The algorithm
/// Each cell runs multi-Paxos among its members (3 to 9, 7 by default). One replica leads
/// at a time, with a ballot `(epoch, round, node)`. To lead, a replica first *polls* the
/// members (a pre-vote that changes nothing, so a replica cut off from the others cannot
/// disturb them when it returns), then runs phase 1 once for every slot after what it has
/// applied: *prepare* → *promise*, each promise carrying the accepted entries the promiser
/// holds. With a majority of promises, and after catching up to the most advanced promiser,
/// the new leader re-proposes, under its own ballot, the highest-ballot value it heard for
/// each open slot (a no-op where it heard none). From then on each slot costs phase 2 only:
/// *accept* → *accepted*; a majority of acceptances chooses the slot's batch. Followers learn
/// the leader's applied point from accepts and heartbeats and apply every entry they accepted
/// under the same ballot up to it; anything else they fetch with a *catch-up* request,
/// answered by entries or, past a snapshot, by the whole state.
///
/// Linearizable reads do not use the log. The leader notes the last slot it has proposed
/// (the read index), waits for a *heartbeat round* that started after the read arrived to be
/// acknowledged by a majority (no higher ballot had been promised by them, so no other leader
/// could have completed a write), and answers once it has applied through the read index.
/// Every heartbeat is such a round, so reads arriving together share one.
///
/// ## Membership changes
/// A membership change (replace one member) is a command in the log, proposed alone in its
/// slot. When it is applied at slot `s`, it ends epoch `e`: slots after `s` belong to epoch
/// `e + 1` with the new members, and whatever epoch `e` put after `s` is discarded unapplied.
/// Every ballot of epoch `e + 1` outranks every ballot of epoch `e`, and a replica only takes
/// part in the epoch it has applied its way into, so no majority of the old members can
/// choose anything for a slot of the new configuration (Lamport's "stop sign"; α = 1 across
/// the change, full pipelining inside an epoch). A replica in a newer epoch answers messages
/// from an older one with `staleEpoch` and its configuration; a replica that sees a newer
/// epoch catches up. A new member starts empty and joins from a snapshot.
///
/// ## Our words
/// *slot*: a position in the log. *batch*: the commands chosen for a slot. *applied through*:
/// the last slot reflected in the cell's state. *epoch*: the number of the configuration.
///
/// ## Where we depart from the paper
/// Pre-vote and check-quorum are borrowed from Raft (§9.6 of Ongaro's thesis) to keep a
/// stable leader stable. A leader steps down when it has not heard from a majority for an
/// election timeout. Client sessions in the state machine make writes exactly-once.
///
/// ## Driving it
/// The replica never does IO and never reads a clock. Its driver:
/// 1. calls `tick()` every tick (the driver fixes a tick's length), or, to skip the ticks at
///    which nothing is due, `tick(elapsed:)` at the tick `ticksUntilDue` names and
///    `advanceClock(by:)` before it hands the replica anything in between,
/// 2. calls `receive(_:from:)` for every message of its cell from a peer node,
/// 3. calls `submit(_:)` for every client request for its cell,
/// 4. carries out each returned `ReplicaOutput` under its ordering contract: persist first,
///    then send messages and replies.
/// After a crash the driver folds the persisted records into a `DurableCellState` and
/// rebuilds the replica with `init(restoring:…)`.
public struct CellReplica: Sendable {
    /// The cell this replica belongs to.
    public let cell: CellID
    /// The node this replica lives on.
    public let node: NodeID
    /// The host's options, shared with its other replicas.
    private let sharedOptions: SharedReplicaOptions
    var random: SplitMix64

    /// The highest ballot this replica promised.
    public internal(set) var promised: Ballot
    /// The cell's state as applied here, or nil while the replica waits for its first snapshot.
    public internal(set) var state: CellState?
    var log: ReplicaLog
    /// The applied point of the last snapshot persisted.
    var snapshotSlot: Slot

    var role: Role = .follower
    /// The leader's state: set exactly while `role` is `.leading`.
    var leadership: LeaderState?
    /// Ticks seen since the replica was made.
    var now: UInt64 = 0
    var electionDeadline: UInt64 = 0
    var lastLeaderContact: UInt64 = 0
    /// The node this replica believes leads the cell, if any.
    public internal(set) var leaderHint: NodeID?
    /// The latest applied point a leader reported, and that leader's ballot: entries
    /// accepted under that ballot up to that slot are chosen.
    var leaderCommit: (ballot: Ballot, slot: Slot) = (.zero, 0)
    /// The highest slot this replica knows to be chosen, from any source.
    var knownChosenThrough: Slot = 0
    var lastCatchUpRequestAt: UInt64?
    var catchUpSource: NodeID?
    /// The highest round seen in the current epoch, so a new candidacy outranks it.
    var highestRoundSeen: UInt64 = 0
    /// While set, the replica's stored state was lost or damaged (or it is new here): it
    /// does not vote until the cell has applied this renewal request.
    var damagedRenewal: RequestID?
    var lastRenewalRequestAt: UInt64?
    /// Whether the replica's node is going away: it hands its leadership on and no longer
    /// stands for election (see `handOff()`).
    public internal(set) var isLeaving = false
    var handOffAskedAt: UInt64 = 0
    var handOffAttempts = 0
    /// Whether the replica rests until woken: its host does not tick it (see
    /// `CellReplica+Quiescence.swift`).
    public internal(set) var isQuiescent = false
    /// The cell's recent changes as applied here, for watchers; memory only.
    public internal(set) var feed: ChangeFeed
    /// Set once the cell is deleted; out of line, so live replicas pay one word for it.
    var deletion: TombstoneBox?

    /// Creates the replica of a new cell on `node` with the cell's first configuration, and
    /// the output that persists it.
    public static func create(
        cell: CellID, node: NodeID, configuration: CellConfiguration, options: SharedReplicaOptions, seed: UInt64
    ) -> (replica: CellReplica, output: ReplicaOutput) {
        var replica = CellReplica(cell: cell, node: node, options: options, seed: seed)
        let state = CellState(configuration: configuration)
        replica.state = state
        replica.snapshotSlot = state.appliedThrough
        replica.log = ReplicaLog(firstSlot: state.appliedThrough + 1)
        replica.knownChosenThrough = state.appliedThrough
        var output = ReplicaOutput()
        output.persist.append(.snapshot(state))
        return (replica, output)
    }

    /// Rebuilds a replica after a restart from what it made durable, and the output that
    /// persists anything the rebuild decided. A replica that never persisted a state comes
    /// back empty (see `empty`).
    public static func restore(
        cell: CellID, node: NodeID, from durable: DurableCellState, options: SharedReplicaOptions, seed: UInt64
    ) -> (replica: CellReplica, output: ReplicaOutput) {
        if let tombstone = durable.tombstone {
            var replica = CellReplica(cell: cell, node: node, options: options, seed: seed)
            replica.deletion = TombstoneBox(tombstone)
            return (replica, ReplicaOutput())
        }
        guard durable.snapshot != nil || durable.damagedRenewal != nil else {
            return empty(cell: cell, node: node, options: options, seed: seed)
        }
        return (CellReplica(cell: cell, node: node, restoring: durable, options: options, seed: seed), ReplicaOutput())
    }

    /// Makes an empty replica: a node newly added to the cell, or one whose stored state was
    /// lost or found damaged. It fetches the cell's state from its peers and does not vote
    /// until the cell has *renewed* it (a membership change that starts an epoch after
    /// anything it might once have promised); the output persists that it waits for it.
    public static func empty(
        cell: CellID, node: NodeID, options: SharedReplicaOptions, seed: UInt64
    ) -> (replica: CellReplica, output: ReplicaOutput) {
        var replica = CellReplica(cell: cell, node: node, options: options, seed: seed)
        if options.value.defects.contains(.emptyReplicasVote) { return (replica, ReplicaOutput()) }
        // Renewal requests use client ids with the top bit set, which client libraries never draw.
        let renewal = RequestID(client: ClientID(1 << 63 | replica.random.next() >> 1), sequence: 1)
        replica.damagedRenewal = renewal
        var output = ReplicaOutput()
        output.persist.append(.damaged(renewal: renewal))
        return (replica, output)
    }

    private init(cell: CellID, node: NodeID, restoring durable: DurableCellState, options: SharedReplicaOptions, seed: UInt64) {
        self.init(cell: cell, node: node, options: options, seed: seed)
        promised = durable.promised
        damagedRenewal = durable.damagedRenewal
        guard let snapshot = durable.snapshot else { return }
        state = snapshot
        feed.reset(at: snapshot.store.revision)
        snapshotSlot = snapshot.appliedThrough
        knownChosenThrough = snapshot.appliedThrough
        log = ReplicaLog(firstSlot: snapshot.appliedThrough + 1)
        for slot in durable.entries.keys.sorted() where slot > snapshot.appliedThrough {
            guard let entry = durable.entries[slot], entry.ballot.epoch >= snapshot.configuration.epoch else { continue }
            guard slot < log.firstSlot + self.options.logSlotsMax else { break }
            log.store(entry, at: slot)
        }
        var ignored = ReplicaOutput()
        applyChosen(&ignored)
    }

    private init(cell: CellID, node: NodeID, options: SharedReplicaOptions, seed: UInt64) {
        self.cell = cell
        self.node = node
        self.sharedOptions = options
        self.random = SplitMix64(seed: seed)
        self.promised = .zero
        self.state = nil
        self.log = ReplicaLog(firstSlot: 1)
        self.snapshotSlot = 0
        self.electionDeadline = 0
        self.feed = ChangeFeed(at: 0)
        resetElectionDeadline()
    }

    // MARK: - Observations

    /// The timing and bounds this replica keeps.
    var options: ReplicaOptions { sharedOptions.value }

    /// The cell's current configuration, if the replica has the cell's state.
    public var configuration: CellConfiguration? { state?.configuration }

    /// Whether the replica has the cell's state (tested without copying it).
    var hasState: Bool {
        if case .some = state { return true }
        return false
    }

    /// The last slot applied here (for a deleted cell, the slot that deleted it).
    public var appliedThrough: Slot { state?.appliedThrough ?? tombstone?.slot ?? 0 }

    /// The highest slot this replica knows its cell has chosen; what it has not applied of
    /// that is how far it lags.
    public var chosenThrough: Slot { max(knownChosenThrough, appliedThrough) }

    /// Whether this replica currently leads its cell.
    public var isLeader: Bool {
        if case .some = leadership { return true }
        return false
    }

    /// The ballot this replica leads with, if it leads.
    public var leaderBallot: Ballot? {
        leadership?.ballot
    }

    /// Whether this replica is a voting member of the cell's current configuration.
    public var isMember: Bool { state?.configuration.contains(node) ?? false }

    /// Whether the replica takes part in elections and votes: a member whose stored state is whole.
    public var canVote: Bool { isMember && damagedRenewal == nil }

    /// Whether the replica waits to be renewed after losing (or never having) its stored state.
    public var isDamaged: Bool { damagedRenewal != nil }

    /// The cell's tombstone once it is deleted: the replica then holds nothing else and only
    /// says so.
    public var tombstone: CellTombstone? { deletion?.tombstone }

    // MARK: - Events

    /// Advances the replica's clock by `elapsed` ticks (its host skips those at which nothing
    /// is due: see `ticksUntilDue`) and does what is due: elections, heartbeats,
    /// retransmissions.
    public mutating func tick(elapsed: UInt64 = 1) -> ReplicaOutput {
        var output = ReplicaOutput()
        guard tombstone == nil, !isQuiescent else { return output }
        if elapsed > 1 { advanceClock(by: elapsed - 1) }
        now += min(elapsed, 1)
        switch role {
        case .leading:
            leaderTick(&output)
        case .preparing(let prepare):
            if now >= electionDeadline {
                becomeFollower(&output)
            } else if now - prepare.lastSentAt >= options.retransmitTicks {
                resendPrepare(&output)
            }
        case .polling:
            if now >= electionDeadline {
                startPoll(&output)
            }
        case .follower:
            if canVote, !isLeaving, now >= electionDeadline {
                startPoll(&output)
            }
        }
        catchUpTick(&output)
        renewalTick(&output)
        return output
    }

    /// Handles a message from the replica of the same cell on node `sender`.
    public mutating func receive(_ body: PeerMessageBody, from sender: NodeID) -> ReplicaOutput {
        var output = ReplicaOutput()
        wake(leaderLive: true)
        if isLeader, let index = state?.configuration.index(of: sender) {
            leaderState.restartedUnheard.remove(index)
        }
        if let tombstone {
            if let answer = tombstone.answer(body) { output.send(answer, to: sender, cell: cell) }
            return output
        }
        let counter = body.largestCounter
        guard counter <= CounterBounds.adoptedMax else {
            output.events.append(.refusedMessage(from: sender, reason: .counterAboveBound(counter)))
            return output
        }
        guard !body.carriesCellState || mayTakeCellState(from: sender) else {
            output.events.append(.refusedMessage(from: sender, reason: .stateFromStranger))
            return output
        }
        if case .cellDeleted(let tombstone) = body {
            receiveDeletion(tombstone, &output)
            return output
        }
        // Only the configuration is bound here: holding the whole state would make every
        // change below copy it.
        guard let configuration = state?.configuration, damagedRenewal == nil else {
            receiveWhileDamaged(body, from: sender, &output)
            return output
        }
        if case .takeOver(let ballot) = body, ballot.epoch < configuration.epoch {
            receiveTakeOverFromRemovedLeader(ballot, from: sender, &output)
            return output
        }
        if let ballot = body.ballot {
            if ballot.epoch < configuration.epoch {
                if body.isBallotOwnersRequest {
                    output.send(.staleEpoch(configuration), to: sender, cell: cell)
                }
                return output
            }
            if ballot.epoch > configuration.epoch {
                requestCatchUp(from: sender, &output)
                return output
            }
            guard configuration.contains(sender), isMember else { return output }
            if body.isBallotOwnersRequest, ballot.node != sender { return output }
        }
        switch body {
        case .poll(let ballot, let appliedThrough):
            receivePoll(ballot, appliedThrough: appliedThrough, from: sender, &output)
        case .pollReply(let ballot, let granted):
            receivePollReply(ballot, granted: granted, from: sender, &output)
        case .prepare(let ballot, let fromSlot):
            receivePrepare(ballot, fromSlot: fromSlot, from: sender, &output)
        case .promise(let ballot, let appliedThrough, let entries):
            receivePromise(ballot, report: PromiseReport(node: sender, appliedThrough: appliedThrough, entries: entries), &output)
        case .accept(let ballot, let slot, let batch, let commit):
            receiveAccept(ballot, slot: slot, batch: batch, commit: commit, from: sender, &output)
        case .accepted(let ballot, let slot):
            receiveAccepted(ballot, slot: slot, from: sender, &output)
        case .reject(let attempted, let promised):
            receiveReject(attempted: attempted, promised: promised, &output)
        case .heartbeat(let ballot, let commit, let round):
            receiveHeartbeat(ballot, commit: commit, round: round, from: sender, &output)
        case .heartbeatReply(let ballot, let round, let applied):
            receiveHeartbeatReply(ballot, round: round, appliedThrough: applied, from: sender, &output)
        case .quiesce(let ballot, let commit):
            receiveQuiesce(ballot, commit: commit, from: sender, &output)
        case .catchUpRequest(let fromSlot):
            serveCatchUp(fromSlot: fromSlot, to: sender, &output)
        case .catchUpEntries(let entries, let commit):
            receiveCatchUpEntries(entries, commit: commit, &output)
        case .snapshot(let snapshot):
            install(snapshot, &output)
        case .staleEpoch(let newer):
            if newer.epoch > configuration.epoch {
                requestCatchUp(from: sender, &output)
            }
        case .renewal(let id):
            receiveRenewalRequest(id, from: sender, &output)
        case .takeOver(let ballot):
            receiveTakeOver(ballot, &output)
        case .cellDeleted:
            preconditionFailure("Invalid state: a deletion is adopted before the ballot checks")
        }
        return output
    }

    // MARK: - Shared steps

    /// Sends `body` to every other member of the current configuration.
    func broadcast(_ body: PeerMessageBody, _ output: inout ReplicaOutput) {
        guard let state else { return }
        for member in state.configuration.members where member != node {
            output.send(body, to: member, cell: cell)
        }
    }

    /// Stores `entry` at `slot` in the replica's log. A slot's chosen value never changes on a
    /// replica: every caller has already refused input that would change it, so a change here
    /// is a bug of ours (the test defects aside, which break the protocol on purpose).
    mutating func keep(_ entry: LogEntry, at slot: Slot) {
        if let existing = log[slot], existing.isChosen {
            precondition(
                existing.batch == entry.batch || !options.defects.isEmpty,
                "Invalid state: cell \(cell.name) slot \(slot) was chosen with another batch")
        }
        precondition(slot > appliedThrough || !hasState, "Invalid state: cell \(cell.name) stores slot \(slot), applied through \(appliedThrough)")
        log.store(entry, at: slot)
    }

    /// Persists a promise, unless a test switched that safety mechanism off.
    func persistPromise(_ ballot: Ballot, _ output: inout ReplicaOutput) {
        guard !options.defects.contains(.promisesNotPersisted) else { return }
        output.persist.append(.promise(ballot))
    }
}

extension CellReplica {
    /// Whether `sender` may hand this replica the cell's state, chosen entries or deletion:
    /// a member of its configuration, or the node it last asked to catch up from. Every honest
    /// sender of one is either: state and entries answer a catch-up request, and a deletion
    /// answers a member's request or is sent to the members by the replica that applied it.
    /// A stranger's would replace the cell's state or end it.
    func mayTakeCellState(from sender: NodeID) -> Bool {
        sender == catchUpSource || state?.configuration.contains(sender) == true
    }
}
