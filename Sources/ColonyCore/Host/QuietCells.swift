/// A host's bookkeeping of which replicas rest and which it ticks, written so that its cost
/// follows the replicas that work, not the replicas it hosts.
///
/// - The *awake* replicas (by position in the host's array) are the only ones ticked, in a
///   list with O(1) insertion and removal.
/// - A quiescent follower is filed under the node of the leader it trusts, so that node's
///   death or restart wakes exactly those followers.
/// - A quiescent leader counts, per peer node, the cells it leads there: the peers the node
///   owes a liveness heartbeat.
struct QuietCells: Sendable {
    /// The positions of the awake replicas, in the order they woke.
    private(set) var awake: [Int] = []
    /// Where each awake position is in `awake`.
    private var awakeIndex: [Int: Int] = [:]
    /// The quiescent followers here, by the node of the leader each trusts.
    var followersByLeader: [NodeID: Set<CellID>] = [:]
    /// For each peer node, how many quiescent cells led here have a member on it.
    var ledMembers: [NodeID: Int] = [:]
    /// The host's tick when each node that leads quiescent followers here last sent a
    /// liveness heartbeat (or when the first follower started trusting it).
    var lastHeard: [NodeID: UInt64] = [:]
    /// The incarnation each peer last announced.
    var incarnations: [NodeID: UInt64] = [:]
    /// Followers whose leader's node is gone, in the order they are to be woken.
    var wakeQueue: [CellID] = []
    /// How many of `wakeQueue` were already taken.
    var wakeQueueHead = 0
    /// The cells of `wakeQueue` not woken yet: they wake as followers of a dead leader even
    /// when a message reaches them first.
    var deadLeaderFollowers: Set<CellID> = []
    /// When the node last sent its liveness heartbeats.
    var lastPingAt: UInt64 = 0

    /// Whether the replica at `position` is ticked.
    func isAwake(_ position: Int) -> Bool {
        awakeIndex[position] != nil
    }

    /// Starts ticking the replica at `position`.
    mutating func markAwake(_ position: Int) {
        guard awakeIndex[position] == nil else { return }
        awakeIndex[position] = awake.count
        awake.append(position)
    }

    /// Stops ticking the replica at `position`.
    mutating func markResting(_ position: Int) {
        guard let index = awakeIndex.removeValue(forKey: position) else { return }
        let last = awake.removeLast()
        if index < awake.count {
            awake[index] = last
            awakeIndex[last] = index
        }
    }

    /// The replica at `from` moved to `to` (the host fills a freed position with its last).
    mutating func move(from: Int, to: Int) {
        guard let index = awakeIndex.removeValue(forKey: from) else { return }
        awake[index] = to
        awakeIndex[to] = index
    }

    /// Files a quiescent follower of `cell` under its leader's node `leader`.
    mutating func fileFollower(_ cell: CellID, leader: NodeID, now: UInt64) {
        followersByLeader[leader, default: []].insert(cell)
        if lastHeard[leader] == nil { lastHeard[leader] = now }
    }

    /// Takes a woken follower of `cell` out of its leader's file, in place: a copy of the
    /// file taken out and put back would copy every follower of that leader on each wake.
    mutating func unfileFollower(_ cell: CellID, leader: NodeID) {
        guard followersByLeader[leader]?.remove(cell) != nil, followersByLeader[leader]?.isEmpty == true else { return }
        followersByLeader[leader] = nil
        lastHeard[leader] = nil
    }

    /// Counts (`by` 1) or uncounts (`by` −1) a quiescent cell led here on each of its other members.
    mutating func countLed(_ members: [NodeID], except node: NodeID, by change: Int) {
        for member in members where member != node {
            let count = ledMembers[member, default: 0] + change
            ledMembers[member] = count > 0 ? count : nil
        }
    }

    /// The node `leader` is gone (silent too long, or restarted): its followers here join the
    /// wake queue, in cell order.
    mutating func leaderGone(_ leader: NodeID) {
        lastHeard[leader] = nil
        guard let cells = followersByLeader.removeValue(forKey: leader) else { return }
        for cell in cells.sorted() where deadLeaderFollowers.insert(cell).inserted {
            wakeQueue.append(cell)
        }
    }

    /// Takes up to `count` cells from the wake queue.
    mutating func takeWakes(_ count: Int) -> [CellID] {
        let end = min(wakeQueue.count, wakeQueueHead + count)
        let taken = Array(wakeQueue[wakeQueueHead..<end])
        wakeQueueHead = end
        if wakeQueueHead == wakeQueue.count {
            wakeQueue.removeAll(keepingCapacity: false)
            wakeQueueHead = 0
        }
        return taken
    }
}
