/// What a replica is doing in its cell right now.
///
/// Legal transitions:
/// - `follower` → `polling` (election timeout) or stays `follower`.
/// - `polling` → `preparing` (a majority granted the poll), or `follower` (a leader spoke).
/// - `preparing` → `leading` (a majority promised and the candidate caught up), or
///   `follower` (refused, timed out, or a higher ballot spoke).
/// - `leading` → `follower` (a higher ballot, a lost majority, or the end of its epoch), or
///   `preparing` in the next epoch when a membership change it committed keeps it a member.
enum Role: Sendable {
    case follower
    case polling(PollState)
    case preparing(PrepareState)
    /// Leading; the leader's state is in `CellReplica.leadership`, kept out of this enum so
    /// that the hot path reads and changes it in place.
    case leading
}

/// A pre-vote in progress: no state has changed yet.
struct PollState: Sendable {
    var ballot: Ballot
    var grants: MemberSet
}

/// Phase 1 in progress: the candidate promised its ballot and collects promises.
struct PrepareState: Sendable {
    var ballot: Ballot
    var promises: [PromiseReport]
    var lastSentAt: UInt64

    func hasPromise(from node: NodeID) -> Bool {
        promises.contains { $0.node == node }
    }
}

/// One promise a candidate received, with what the promiser reported.
struct PromiseReport: Sendable {
    var node: NodeID
    var appliedThrough: Slot
    var entries: [SlotEntry]
}

/// A set of members of one configuration, as bits indexed by the member's position.
struct MemberSet: Hashable, Sendable {
    private var bits: UInt16 = 0

    init() {}

    /// The set holding only the member at `index`.
    init(_ index: Int) {
        insert(index)
    }

    mutating func insert(_ index: Int) {
        bits |= 1 << UInt16(index)
    }

    mutating func remove(_ index: Int) {
        bits &= ~(1 << UInt16(index))
    }

    func contains(_ index: Int) -> Bool {
        bits & (1 << UInt16(index)) != 0
    }

    var count: Int { bits.nonzeroBitCount }

    var isEmpty: Bool { bits == 0 }
}

extension CellConfiguration {
    /// The position of `node` among the members, if it is one.
    func index(of node: NodeID) -> Int? {
        members.firstIndex(of: node)
    }
}
