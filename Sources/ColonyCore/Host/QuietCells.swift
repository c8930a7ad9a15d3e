/// A host's bookkeeping of which replicas rest and which it ticks, written so that its cost
/// follows the replicas that work, not the replicas it hosts.
///
/// - The *awake* replicas (by position in the host's array) are the only ones ticked, in a
///   list with O(1) insertion and removal.
/// - A quiescent follower is filed under the node of the leader it trusts, so that node's
///   death or restart wakes exactly those followers.
/// - A quiescent leader is filed under each peer node holding another member of its cell:
///   the peers the node owes a liveness heartbeat, and the cells to wake when one restarts.
/// - A new cell's replica rests until its first election (`ReplicaHost+FirstElections.swift`):
///   filed as a leader is when this node is its first candidate, queued to stand; filed as a
///   follower of that candidate if not, with a deadline after which it stands itself.
struct QuietCells: Sendable {
    /// The positions of the awake replicas, in the order they woke.
    private(set) var awake: [Int] = []
    /// Where each awake position is in `awake`.
    private var awakeIndex: [Int: Int] = [:]
    /// The quiescent followers here, by the node of the leader each trusts.
    var followersByLeader: [NodeID: Set<CellID>] = [:]
    /// For each peer node, the quiescent cells led here that have a member on it.
    var ledCells: [NodeID: Set<CellID>] = [:]
    /// The host's tick when each node that leads quiescent followers here last sent a
    /// liveness heartbeat (or when the first follower started trusting it).
    var lastHeard: [NodeID: UInt64] = [:]
    /// The incarnation each peer last announced.
    var incarnations: [NodeID: UInt64] = [:]
    /// The host's tick when each peer was last seen to restart (to announce another
    /// incarnation), so a replica that takes the lead after it knows of the restart.
    var restartedAt: [NodeID: UInt64] = [:]
    /// Replicas to wake (followers whose leader's node is gone, leaders whose member's node
    /// restarted, new cells' first candidates, followers whose first candidate did not stand
    /// in time), in the order they are to be woken.
    var wakeQueue: [CellID] = []
    /// How many of `wakeQueue` were already taken.
    var wakeQueueHead = 0
    /// The cells of `wakeQueue` not taken yet and not woken otherwise meanwhile.
    var queued: Set<CellID> = []
    /// The cells among `queued` that stand for election once woken, even when a message
    /// reaches them first (after an election timeout, then, as `waitsForPick` do): followers
    /// whose leader's node is gone, and new cells' first candidates.
    var standOnWake: Set<CellID> = []
    /// The cells among `standOnWake` whose replica here is not the one its cell lets stand
    /// first once its leader's node is gone: woken, it gives that member an election timeout
    /// to stand before it stands itself.
    var waitsForPick: Set<CellID> = []
    /// The new cells whose first candidate is this node, resting until their turn in the wake
    /// queue; each is filed under its other members' nodes as a quiescent leader is, so this
    /// node owes those nodes liveness heartbeats while their replicas wait for its candidacy.
    var firstCandidacies: Set<CellID> = []
    /// The resting followers here that wait for a new cell's first candidate to stand, not
    /// woken since, each with the tick it stands itself if still waiting: a liveness heartbeat
    /// from the candidate's node does not say that the candidate will stand (it may never have
    /// heard of the cell).
    var awaitingCandidate: [CellID: UInt64] = [:]
    /// The deadlines of `awaitingCandidate` in the order they pass (the order they were set);
    /// an entry whose deadline is no longer its cell's is passed over.
    var candidateDeadlines: [(cell: CellID, at: UInt64)] = []
    /// How many of `candidateDeadlines` have passed.
    var candidateDeadlinesHead = 0
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
        giveBackBurstCapacity()
    }

    /// After bulk creation every replica of a node is awake at once, and the awake files
    /// would keep that capacity (some 40 bytes a replica) once they rest: they are copied
    /// into buffers of their size when they fall to an eighth of it. Amortized O(1) a call.
    private mutating func giveBackBurstCapacity() {
        guard awake.capacity > 4_096, awake.count * 8 < awake.capacity else { return }
        var positions: [Int] = []
        positions.reserveCapacity(awake.count)
        positions.append(contentsOf: awake)
        awake = positions
        var indexes = [Int: Int](minimumCapacity: awakeIndex.count)
        for (position, index) in awakeIndex { indexes[position] = index }
        awakeIndex = indexes
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

    /// Files a quiescent cell led here under each of its other members' nodes.
    mutating func fileLed(_ cell: CellID, members: [NodeID], except node: NodeID) {
        for member in members where member != node {
            ledCells[member, default: []].insert(cell)
        }
    }

    /// Takes a woken leader's cell out of its members' files.
    mutating func unfileLed(_ cell: CellID, members: [NodeID], except node: NodeID) {
        // In place: taking a member's set out to change it would copy it on every wake.
        for member in members where member != node {
            guard ledCells[member]?.remove(cell) != nil, ledCells[member]?.isEmpty == true else { continue }
            ledCells[member] = nil
        }
    }

    /// The node `leader` is gone (silent too long, or restarted): its followers here, waiting
    /// for it as a first candidate or not, join the wake queue to stand: first, in cell order,
    /// those whose replica here is the one its cell's members pick to stand first
    /// (`standsFirst`), then the others, in cell order, each to give the pick an election
    /// timeout once woken (`waitsForPick`). Every node that lost the leader queues alike, so
    /// each cell's pick stands early and its poll wakes the others, most before their turn;
    /// only a cell whose pick is gone too, or far slower, waits longer for a leader.
    /// Returns how many followers were filed to stand.
    @discardableResult
    mutating func leaderGone(_ leader: NodeID, standsFirst: (CellID) -> Bool) -> Int {
        lastHeard[leader] = nil
        guard let cells = followersByLeader.removeValue(forKey: leader) else { return 0 }
        var later: [CellID] = []
        for cell in cells.sorted() {
            awaitingCandidate[cell] = nil
            if standsFirst(cell) { stand(cell) } else { later.append(cell) }
        }
        for cell in later {
            stand(cell)
            waitsForPick.insert(cell)
        }
        return cells.count
    }

    /// The node `member` restarted: the cells led here with a member there join the wake
    /// queue, so their leaders bring that member up to date (its replicas rest, some may be
    /// damaged and wait to hear whom to fetch from).
    mutating func memberRestarted(_ member: NodeID) {
        for cell in (ledCells[member] ?? []).sorted() {
            enqueue(cell)
        }
    }

    /// Files a new cell whose first candidate is this node: it waits in the wake queue for its
    /// turn to stand, filed under its other members' nodes meanwhile.
    mutating func fileFirstCandidacy(_ cell: CellID, members: [NodeID], except node: NodeID) {
        firstCandidacies.insert(cell)
        fileLed(cell, members: members, except: node)
        stand(cell)
    }

    /// Files a resting follower of `cell` under `candidate`'s node, waiting for its candidacy
    /// until `deadline` at most. Deadlines come in the order they pass (the host's tick plus
    /// one fixed wait).
    mutating func fileAwaitingFollower(_ cell: CellID, candidate: NodeID, now: UInt64, deadline: UInt64) {
        fileFollower(cell, leader: candidate, now: now)
        awaitingCandidate[cell] = deadline
        candidateDeadlines.append((cell, deadline))
    }

    /// Files `cell`'s replica here to stand once woken, in its turn in the wake queue.
    mutating func stand(_ cell: CellID) {
        standOnWake.insert(cell)
        waitsForPick.remove(cell)
        enqueue(cell)
    }

    /// The followers whose candidate has not stood by their deadline, which is `now` or
    /// earlier, join the wake queue to stand themselves.
    mutating func passCandidateDeadlines(now: UInt64) {
        while candidateDeadlinesHead < candidateDeadlines.count, candidateDeadlines[candidateDeadlinesHead].at <= now {
            let (cell, at) = candidateDeadlines[candidateDeadlinesHead]
            candidateDeadlinesHead += 1
            guard awaitingCandidate[cell] == at else { continue }
            awaitingCandidate[cell] = nil
            stand(cell)
        }
        if candidateDeadlinesHead == candidateDeadlines.count, candidateDeadlinesHead > 0 {
            candidateDeadlines.removeAll(keepingCapacity: false)
            candidateDeadlinesHead = 0
        }
    }

    private mutating func enqueue(_ cell: CellID) {
        if queued.insert(cell).inserted { wakeQueue.append(cell) }
    }

    /// Takes up to `count` cells from the wake queue, passing over those woken meanwhile.
    mutating func takeWakes(_ count: Int) -> [CellID] {
        var taken: [CellID] = []
        while taken.count < count, wakeQueueHead < wakeQueue.count {
            let cell = wakeQueue[wakeQueueHead]
            wakeQueueHead += 1
            if queued.remove(cell) != nil { taken.append(cell) }
        }
        if wakeQueueHead == wakeQueue.count {
            wakeQueue.removeAll(keepingCapacity: false)
            wakeQueueHead = 0
        }
        return taken
    }
}
