/// What a replica asks its driver to do after one event.
///
/// The ordering contract, which every driver must keep:
/// 1. Make every record in `persist` durable, in order.
/// 2. Only then release `messages` and `replies`: nothing a replica says may leave the node
///    before everything it persisted in this output and in every earlier output is durable.
///    A driver may hold many outputs and cover them with one flush (group commit), as long
///    as it releases their messages after that flush.
/// 3. One exception, which a driver may take: a leader's `accept` (phase 2a) may leave at
///    once, ahead of the records and of every held output, so that the leader's disk and its
///    followers work in parallel. It is safe because nothing in it rests on the leader's
///    unwritten records: its ballot's promise was durable before the leader's `prepare` left
///    (so before any promise came back to make it leader); its slot and batch are only a
///    proposal, which a leader that crashes and comes back never proposes again under that
///    ballot (a candidate always takes a round above its durable promise); and its `commit` is
///    the leader's applied point, which counts the leader's own vote only once that vote is
///    durable (see `CellReplica.propose`).
/// 4. A message addressed to the replica's own node (a leader's own vote) goes back to that
///    node's replica of the cell once released, under rules 1 and 2 like any other.
/// `events` are observations for metrics and tests; they carry no obligation.
public struct ReplicaOutput: Sendable {
    /// Records to make durable before any message or reply below is released.
    public var persist: [DurableRecord] = []
    /// Messages for the replicas of the cell: the other members', and a leader's own vote for
    /// its own node (rule 4 above).
    public var messages: [OutgoingMessage] = []
    /// Answers to clients.
    public var replies: [ClientReply] = []
    /// What happened, for metrics, logs and the simulator's checks.
    public var events: [ReplicaEvent] = []

    /// Makes an empty output.
    public init() {}

    /// Whether the output asks for nothing.
    public var isEmpty: Bool {
        persist.isEmpty && messages.isEmpty && replies.isEmpty && events.isEmpty
    }

    mutating func send(_ body: PeerMessageBody, to node: NodeID, cell: CellID) {
        messages.append(OutgoingMessage(to: node, message: PeerMessage(cell: cell, body: body)))
    }

    mutating func reply(_ id: RequestID, cell: CellID, _ outcome: ClientOutcome) {
        replies.append(ClientReply(id: id, cell: cell, outcome: outcome))
    }
}

/// A message and the node it goes to.
public struct OutgoingMessage: Hashable, Sendable {
    /// The destination node.
    public var to: NodeID
    /// The message.
    public var message: PeerMessage

    /// Pairs a message with its destination.
    public init(to: NodeID, message: PeerMessage) {
        self.to = to
        self.message = message
    }
}

/// Something that happened inside a replica, reported for observation only.
public enum ReplicaEvent: Hashable, Sendable {
    /// The replica's poll was granted and it stands for election with this ballot (phase 1).
    case stoodForElection(Ballot)
    /// The replica finished phase 1 and leads with this ballot.
    case becameLeader(Ballot)
    /// The replica stopped leading.
    case steppedDown(Ballot)
    /// The replica applied the chosen batch of this slot.
    case applied(slot: Slot, batch: Batch)
    /// The replica installed a snapshot that took it to this slot.
    case installedSnapshot(appliedThrough: Slot)
    /// A membership change took effect; this is the new configuration.
    case configurationChanged(CellConfiguration)
    /// A replica that had lost its stored state was renewed and votes again.
    case healed
    /// An operator forced this damaged replica to vote again without a renewal, at its
    /// applied slot, promising `floor` first (see `CellReplica.forceHeal()`): writes the cell
    /// acknowledged after that slot may be lost.
    case forcedHeal(appliedThrough: Slot, floor: Ballot)
    /// The cell was deleted (applied here, or learned from a peer); the replica is now this
    /// tombstone and its host drops it.
    case deleted(CellTombstone)
    /// The replica dropped a peer's message unread, for `reason`. Only a hostile or broken
    /// peer sends one.
    case refusedMessage(from: NodeID, reason: PeerRefusal)
    /// The replica did not stand for election: the rounds of its epoch reached
    /// `CounterBounds.adoptedMax` (a hostile peer's doing); only a new epoch lets it stand.
    case roundsExhausted(epoch: Epoch)
}
