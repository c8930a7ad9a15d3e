/// What a replica asks its driver to do after one event.
///
/// The ordering contract, which every driver must keep:
/// 1. Make every record in `persist` durable, in order.
/// 2. Only then release `messages` and `replies`: nothing a replica says may leave the node
///    before everything it persisted in this output and in every earlier output is durable.
///    A driver may hold many outputs and cover them with one flush (group commit), as long
///    as it releases their messages after that flush.
/// `events` are observations for metrics and tests; they carry no obligation.
public struct ReplicaOutput: Sendable {
    /// Records to make durable before any message or reply below is released.
    public var persist: [DurableRecord] = []
    /// Messages for other replicas of the cell.
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
