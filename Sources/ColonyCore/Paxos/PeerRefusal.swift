/// Why a replica dropped a peer's message unread. Only a hostile or broken peer sends any of
/// these; the replica goes on as if the message never came, and its node says so.
public enum PeerRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The message carried a counter (an epoch, round, slot or revision) above
    /// `CounterBounds.adoptedMax`.
    case counterAboveBound(UInt64)
    /// A promise reported an accepted entry at `slot`, more than `ReplicaOptions.logSlotsMax`
    /// past what its sender had applied: no acceptor takes a slot that far ahead, and a new
    /// leader would have to fill every slot up to it.
    case promisedSlotOutOfReach(Slot)
    /// The cell's state, chosen entries or deletion came from a node that is neither a member
    /// of the replica's configuration nor the node it asked to catch up from.
    case stateFromStranger

    /// What was wrong, for the node's log.
    public var description: String {
        switch self {
        case .counterAboveBound(let counter):
            "it carries counter \(counter), above \(CounterBounds.adoptedMax)"
        case .promisedSlotOutOfReach(let slot):
            "it promises an entry at slot \(slot), further ahead of its sender's applied slot than any log reaches"
        case .stateFromStranger:
            "it brings the cell's state or deletion from a node that is not a member and was not asked"
        }
    }
}
