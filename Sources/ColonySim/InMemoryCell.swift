import ColonyCore

/// The replicas of one cell wired together in memory, with no delays: messages wait in a
/// FIFO queue until delivered. Unit tests use it to play protocol scenarios step by step;
/// `colony bench core` uses it to measure the core without any IO.
public struct InMemoryCell {
    /// The cell's name.
    public let cell: CellID
    /// The replicas, by node.
    public private(set) var replicas: [NodeID: CellReplica] = [:]
    /// What each node made durable, by node.
    public private(set) var durable: [NodeID: DurableCellState] = [:]
    /// Messages sent and not yet delivered, oldest first.
    public private(set) var inFlight: [(from: NodeID, to: NodeID, body: PeerMessageBody)] = []
    /// Every client reply so far, oldest first.
    public private(set) var replies: [ClientReply] = []
    /// Every replica event so far, with the node it happened on.
    public private(set) var events: [(node: NodeID, event: ReplicaEvent)] = []
    /// Nodes whose messages, both ways, are dropped.
    public var isolated: Set<NodeID> = []
    /// Directed links whose messages are dropped.
    public var cutLinks: Set<[NodeID]> = []
    /// Nodes whose clocks stand still: `tick()` skips them, as a stalled process.
    public var frozen: Set<NodeID> = []
    /// Rewrites each message as it is delivered, as a hostile sender would: given the sender,
    /// the receiver and the message, it returns what arrives.
    public var forge: ((_ from: NodeID, _ to: NodeID, _ body: PeerMessageBody) -> PeerMessageBody)?
    private let options: SharedReplicaOptions
    private var random: SplitMix64

    /// Creates a cell whose first configuration holds `members`.
    public init(members: [NodeID], options: ReplicaOptions = ReplicaOptions(), seed: UInt64 = 1) throws(ConfigurationError) {
        self.cell = CellID("cell")
        self.options = SharedReplicaOptions(options)
        self.random = SplitMix64(seed: seed)
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        for member in configuration.members {
            let (replica, output) = CellReplica.create(
                cell: cell, node: member, configuration: configuration, options: self.options, seed: random.next())
            replicas[member] = replica
            carryOut(output, at: member)
        }
    }

    /// The nodes that hold a replica, in order.
    public var nodes: [NodeID] { replicas.keys.sorted() }

    /// The nodes whose replica leads, in order.
    public var leaders: [NodeID] { nodes.filter { replicas[$0]?.isLeader ?? false } }

    /// Persists the output's records, queues its messages, and keeps its replies and events.
    public mutating func carryOut(_ output: ReplicaOutput, at node: NodeID) {
        for record in output.persist {
            durable[node, default: DurableCellState()].apply(record)
        }
        for message in output.messages {
            inFlight.append((node, message.to, message.message.body))
        }
        replies.append(contentsOf: output.replies)
        events.append(contentsOf: output.events.map { (node, $0) })
    }

    /// Delivers the oldest message; returns false when none is waiting.
    @discardableResult
    public mutating func deliverOne() -> Bool {
        guard !inFlight.isEmpty else { return false }
        let (from, to, body) = inFlight.removeFirst()
        guard !isolated.contains(from), !isolated.contains(to), !cutLinks.contains([from, to]) else { return true }
        guard let output = replicas[to]?.receive(forge?(from, to, body) ?? body, from: from) else { return true }
        carryOut(output, at: to)
        return true
    }

    /// Delivers messages until none is left, or `limit` were delivered.
    public mutating func deliverAll(limit: Int = 100_000) {
        var delivered = 0
        while delivered < limit, deliverOne() {
            delivered += 1
        }
    }

    /// Ticks every running replica once, then delivers everything.
    public mutating func tick() {
        for node in nodes where !frozen.contains(node) {
            guard let output = replicas[node]?.tick() else { continue }
            carryOut(output, at: node)
        }
        deliverAll()
    }

    /// Ticks until some replica leads (at most `limit` ticks); returns it.
    @discardableResult
    public mutating func tickUntilLeader(limit: Int = 1_000) -> NodeID? {
        for _ in 0..<limit {
            if let leader = leaders.first(where: { !isolated.contains($0) }) { return leader }
            tick()
        }
        return leaders.first { !isolated.contains($0) }
    }

    /// Hands a client request to `node`'s replica and delivers everything that follows.
    public mutating func submit(_ request: ClientRequest, to node: NodeID) {
        enqueue(request, to: node)
        deliverAll()
    }

    /// Hands a client request to `node`'s replica without delivering what it sends.
    public mutating func enqueue(_ request: ClientRequest, to node: NodeID) {
        guard let output = replicas[node]?.submit(request) else { return }
        carryOut(output, at: node)
    }

    /// Tells `node`'s replica that its node is going away (see `CellReplica.handOff()`) and
    /// delivers everything that follows.
    public mutating func handOff(_ node: NodeID) {
        guard let output = replicas[node]?.handOff() else { return }
        carryOut(output, at: node)
        deliverAll()
    }

    /// Asks `node`'s replica to hand its lead to `target` (see
    /// `CellReplica.transferLeadership(to:)`), delivers everything that follows, and returns
    /// the refusal if there was one.
    @discardableResult
    public mutating func transferLeadership(from node: NodeID, to target: NodeID) -> LeadershipTransferRefusal? {
        guard var replica = replicas[node] else { return .noState }
        let result = replica.transferLeadership(to: target)
        replicas[node] = replica
        switch result {
        case .success(let output):
            carryOut(output, at: node)
            deliverAll()
            return nil
        case .failure(let refusal):
            return refusal
        }
    }

    /// Forces `node`'s damaged replica to vote again (see `CellReplica.forceHeal()`), delivers
    /// everything that follows, and returns the refusal if there was one.
    public mutating func forceHeal(_ node: NodeID) -> ForcedHealRefusal? {
        guard var replica = replicas[node] else { return .noState }
        let result = replica.forceHeal()
        replicas[node] = replica
        switch result {
        case .success(let output):
            carryOut(output, at: node)
            deliverAll()
            return nil
        case .failure(let refusal):
            return refusal
        }
    }

    /// Forgets the replies and events kept so far (long benchmarks would otherwise grow them).
    public mutating func clearObservations() {
        replies.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
    }

    /// The batch each node applied at `slot`, by node, for the nodes that applied it.
    public func appliedBatches(at slot: Slot) -> [NodeID: Batch] {
        var batches: [NodeID: Batch] = [:]
        for (node, event) in events {
            if case .applied(slot, let batch) = event { batches[node] = batch }
        }
        return batches
    }

    /// The latest reply to request `id`, if any.
    public func reply(to id: RequestID) -> ClientReply? {
        replies.last { $0.id == id }
    }

    /// Loses `node`'s memory: its replica is rebuilt from what it persisted.
    public mutating func restart(_ node: NodeID) {
        inFlight.removeAll { $0.to == node }
        let (replica, output) = CellReplica.restore(
            cell: cell, node: node, from: durable[node] ?? DurableCellState(), options: options, seed: random.next())
        replicas[node] = replica
        carryOut(output, at: node)
    }

    /// Loses `node`'s disk as well as its memory: its replica comes back empty, as on a new
    /// machine with the same node id.
    public mutating func wipe(_ node: NodeID) {
        inFlight.removeAll { $0.to == node }
        durable[node] = nil
        addJoiningReplica(on: node)
    }

    /// Adds an empty replica on `node`, as a node being added to the cell gets (it votes
    /// once the cell has renewed it).
    public mutating func addJoiningReplica(on node: NodeID) {
        let (replica, output) = CellReplica.empty(cell: cell, node: node, options: options, seed: random.next())
        replicas[node] = replica
        carryOut(output, at: node)
    }
}
