@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyWire

/// Node cores wired together by hand, for scenarios the simulator's random faults reach too
/// rarely: frames wait in a queue until delivered, and a node's appends become durable only
/// when its disk is flushed, at once unless the test has slowed that disk. A crash loses
/// what was not yet written.
struct HandWiredNodes {
    /// One node: its core, what its disk holds, and the appends not yet written.
    struct Node {
        var core: NodeCore
        var durable: [CellID: DurableCellState] = [:]
        var unwritten: [LogAppend] = []
        /// Whether appends are written as soon as the core asks (a fast disk).
        var writesAtOnce = true
    }

    private(set) var nodes: [NodeID: Node] = [:]
    /// Frames sent and not yet delivered, oldest first.
    private(set) var inFlight: [(from: NodeID, to: NodeID, bytes: [UInt8])] = []
    /// Every batch each node applied, by slot, in the order applied.
    private(set) var applied: [(node: NodeID, slot: Slot, batch: Batch)] = []
    /// Every candidacy (phase 1 started), with the tick it started in.
    private(set) var candidacies: [(node: NodeID, cell: CellID, tick: Int)] = []
    /// Every answer each node gave, in the order given.
    private(set) var answers: [(node: NodeID, answer: NodeAnswer)] = []
    /// Every peer a node stopped trusting as a leader, in the order noted.
    private(set) var leaderNodeLosses: [(node: NodeID, loss: LeaderNodeLoss)] = []
    /// How many times every node was ticked.
    private(set) var ticks = 0
    /// Directed links whose frames are dropped.
    var cutLinks: Set<[NodeID]> = []
    /// Directed links whose liveness heartbeats are dropped; their other frames pass.
    var heartbeatsLost: Set<[NodeID]> = []
    private let options: ReplicaOptions
    private var nextSeed: UInt64 = 1
    private var nextWaiter: UInt64 = 1

    /// Nodes `members`, with `cell` created on the first and made known to the others by its
    /// creation frames, every append written at once.
    init(cell: CellID, members: [NodeID], defects: Set<Defect>) throws {
        var options = ReplicaOptions()
        options.defects = defects
        self.init(members: members, options: options)
        let configuration = try CellConfiguration(epoch: 1, members: members, startSlot: 1)
        _ = nodes[members[0]]?.core.createCell(cell, configuration: configuration)
        collect(members[0])
        deliverAll()
    }

    /// Nodes `members` hosting no cell yet, every append written at once.
    init(members: [NodeID], options: ReplicaOptions) {
        self.options = options
        for member in members {
            nodes[member] = Node(core: makeCore(member, durable: [:]))
        }
    }

    private mutating func makeCore(_ node: NodeID, durable: [CellID: DurableCellState], damaged: Set<CellID> = []) -> NodeCore {
        nextSeed += 1
        return NodeCore(node: node, durable: durable, damaged: damaged, options: options, frameBytesMax: 1 << 20, seed: nextSeed)
    }

    /// The nodes whose core leads some cell, in order.
    var leaders: [NodeID] { nodes.keys.sorted().filter { nodes[$0]?.core.leaderCount ?? 0 > 0 } }

    /// The distinct batches the nodes applied at `slot`.
    func batches(appliedAt slot: Slot) -> Set<Batch> {
        Set(applied.filter { $0.slot == slot }.map(\.batch))
    }

    /// Takes `node`'s effects: its frames join the queue, its appends wait for the disk (and
    /// are written at once if the disk is fast), its applied slots are noted.
    mutating func collect(_ node: NodeID) {
        while var entry = nodes[node] {
            let effects = entry.core.takeEffects()
            for note in effects.notes {
                if case .leaderNodeLost(let loss) = note { leaderNodeLosses.append((node, loss)) }
                guard case .cell(let event) = note else { continue }
                switch event.event {
                case .applied(let slot, let batch): applied.append((node, slot, batch))
                case .stoodForElection: candidacies.append((node, event.cell, ticks))
                default: break
                }
            }
            answers.append(contentsOf: effects.answers.map { (node, $0) })
            for frame in effects.frames {
                inFlight.append((node, frame.to, frame.bytes))
            }
            if let append = effects.append {
                entry.unwritten.append(append)
            }
            nodes[node] = entry
            guard entry.writesAtOnce, !entry.unwritten.isEmpty else { return }
            flush(node)
        }
    }

    /// Writes `node`'s unwritten appends and tells its core they are durable.
    mutating func flush(_ node: NodeID) {
        guard var entry = nodes[node], let last = entry.unwritten.last else { return }
        for append in entry.unwritten {
            for record in append.records {
                entry.durable[record.cell, default: DurableCellState()].apply(record.record)
            }
        }
        entry.unwritten = []
        entry.core.durable(through: last.ticket)
        nodes[node] = entry
        collect(node)
    }

    /// Delivers the oldest frame; returns false when none waits.
    @discardableResult
    mutating func deliverOne() -> Bool {
        guard !inFlight.isEmpty else { return false }
        let (from, to, bytes) = inFlight.removeFirst()
        guard !cutLinks.contains([from, to]), nodes[to] != nil else { return true }
        if heartbeatsLost.contains([from, to]), Self.isHeartbeat(bytes) { return true }
        nodes[to]?.core.receive(frame: bytes[...], from: from)
        collect(to)
        return true
    }

    /// Whether `bytes` is a liveness heartbeat frame.
    static func isHeartbeat(_ bytes: [UInt8]) -> Bool {
        guard let header = try? PeerFrameHeader(bytes[...], frameBytesMax: 1 << 20),
              case .liveness = try? PeerFrame.decode(header, body: bytes.dropFirst(PeerFrame.headerBytes))
        else { return false }
        return true
    }

    /// Delivers frames until none waits.
    mutating func deliverAll() {
        for _ in 0..<100_000 where deliverOne() {}
    }

    /// Ticks every node once, then delivers everything.
    mutating func tick() {
        ticks += 1
        for node in nodes.keys.sorted() {
            nodes[node]?.core.tick()
            collect(node)
        }
        deliverAll()
    }

    /// Ticks until `condition` holds, at most `limit` times; returns whether it held.
    @discardableResult
    mutating func tick(until condition: (HandWiredNodes) -> Bool, limit: Int = 1_000) -> Bool {
        for _ in 0..<limit {
            if condition(self) { return true }
            tick()
        }
        return condition(self)
    }

    /// Hands `request` to `node` and delivers nothing.
    mutating func submit(_ request: ClientRequest, to node: NodeID) {
        nextWaiter += 1
        nodes[node]?.core.submit(request, waiter: WaiterID(nextWaiter), timeoutTicks: 10_000)
        collect(node)
    }

    /// Asks `node`'s replica of `cell` to hand the lead to `target`, and delivers nothing.
    mutating func transferLeadership(of cell: CellID, from node: NodeID, to target: NodeID) -> LeadershipTransferOutcome? {
        let outcome = nodes[node]?.core.transferLeadership(of: cell, to: target)
        collect(node)
        return outcome
    }

    /// Hands a batch of creations to `node` and delivers nothing.
    mutating func create(_ cells: [(cell: CellID, configuration: CellConfiguration)], at node: NodeID) {
        nextWaiter += 1
        nodes[node]?.core.createCells(cells, waiter: WaiterID(nextWaiter))
        collect(node)
    }

    /// `node` crashes and restarts: what its disk had not written is lost, the frames sent to
    /// it are dropped, and its core starts again from its disk, on which the records of the
    /// cells `damaged` are found damaged.
    mutating func crash(_ node: NodeID, damaging damaged: Set<CellID> = []) {
        guard let entry = nodes[node] else { return }
        inFlight.removeAll { $0.to == node }
        let durable = entry.durable.filter { !damaged.contains($0.key) }
        var restarted = Node(core: makeCore(node, durable: durable, damaged: damaged), durable: durable)
        restarted.core.announce(to: Array(nodes.keys))
        nodes[node] = restarted
        collect(node)
    }

    /// Sets whether `node`'s disk writes appends at once; a fast disk writes what waits.
    mutating func setWritesAtOnce(_ writesAtOnce: Bool, on node: NodeID) {
        nodes[node]?.writesAtOnce = writesAtOnce
        if writesAtOnce { flush(node) }
    }
}
