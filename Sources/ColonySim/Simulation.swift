import ColonyClient
import ColonyControl
@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyPlacement

/// A whole colony in one process on one thread: nodes hosting replicas of many cells, a
/// seeded network, seeded faults and a client workload, in simulated time.
///
/// Everything that varies comes from one `UInt64` seed, and nothing reads a real clock or
/// iterates in hash order, so the same seed replays the same run, byte for byte. Each node
/// runs the production `NodeCore` (its replicas, the persist-before-send gate, the waiting
/// requests, creation and membership answers) over the production write-ahead log; peers
/// exchange encoded frames. Only the network, the disk and time are simulated. The cells are
/// placed by the production `Placer` on a fleet laid out over zones and racks, recorded in a
/// directory held in a simulated cell, and the production control loop drains, re-places and
/// rebalances them while the faults run (see `SimControl`).
///
/// A run: the workload and the faults run for `options.duration`; then every fault heals,
/// crashed nodes restart, and the run goes on until the clients' last operations finish or
/// time out. Last, fresh clients read every key of every cell once, so a write the colony
/// acknowledged and then lost shows in the history as a read that missed it. The history it
/// records is for a checker to judge.
public struct Simulation {
    /// The run's seed.
    public let seed: UInt64
    /// The run's shape.
    public let options: SimulationOptions
    /// The current simulated time, in nanoseconds.
    public private(set) var now: UInt64 = 0
    /// Counts of what happened so far.
    public internal(set) var statistics = SimulationStatistics()
    /// Faults as they started and healed.
    public internal(set) var faultLog: [FaultLogEntry] = []
    /// Finished client operations, for latency figures.
    public internal(set) var completions: [Completion] = []
    /// How many of the frames nodes send to keep in `sentFrames` (a fuzzing corpus of real
    /// frames); none unless asked.
    @_spi(Testing) public var sentFramesToKeep = 0
    /// The first `sentFramesToKeep` frames nodes sent, as their bytes went on the network.
    @_spi(Testing) public internal(set) var sentFrames: [[UInt8]] = []

    var random: SplitMix64
    var queue = EventQueue<SimEvent>()
    var nodes: [SimNode] = []
    var network = SimNetwork()
    var cells: [CellID] = []
    var cellIndexByID: [CellID: Int] = [:]
    /// Every cell's first members: what a new client's discovery cache starts from.
    var initialViews: [CachedCell] = []
    var clients: [SimClient] = []
    var clientIndexByID: [ClientID: Int] = [:]
    var nextProcess = 0
    var nextClientID: UInt64 = 1
    var workload: Workload
    var recorder: HistoryRecorder
    var agreement = AgreementChecker()
    var majority = MajorityChecker()
    var activeFaults: [ActiveFault] = []
    var nextFaultID = 0
    var control: SimControl
    /// The directory cell, `_directory`: the control plane's, not the workload's.
    let directoryCell = CellID(ColonyDirectory.cell)

    /// Builds the colony for `seed`: nodes, cells placed by the placer, clients.
    public init(seed: UInt64, options: SimulationOptions) throws(SimulationOptionsError) {
        try options.validate()
        self.seed = seed
        self.options = options
        self.random = SplitMix64(seed: seed)
        self.workload = Workload(
            seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1, cellCount: options.cells, keysPerCell: options.keysPerCell,
            transactionCellEvery: options.transactionCellEvery)
        self.recorder = HistoryRecorder(isEnabled: options.recordsHistory)
        let layout = FleetLayout(options: options, seed: seed &* 0xD1B5_4A32_D192_ED03 &+ 3)
        self.control = SimControl(layout: layout, seed: seed, configuration: Self.controlConfiguration(options))
        buildColony(layout: layout)
        for index in 0..<options.clients {
            addClient(recordsHistory: true)
            schedule(.clientTimer(clientIndex: index, token: 0), after: random.next() % (10 * Nanoseconds.millisecond))
        }
        if !options.faults.isEmpty {
            schedule(.nextFault, after: faultInterval())
        }
        schedule(.finalReads, after: options.duration + options.operationDeadline)
    }

    /// The history recorded so far.
    public var history: [HistoryEvent] { recorder.events }

    /// The time at which the run is over: the workload, time for its last operations to end,
    /// then time for the final reads.
    public var endTime: UInt64 { options.duration + 2 * options.operationDeadline + Nanoseconds.second }

    /// Runs the whole simulation and returns its statistics.
    @discardableResult
    public mutating func run() -> SimulationStatistics {
        run(until: endTime)
        return statistics
    }

    /// Runs every event up to `time`. At the end of the workload, faults heal.
    public mutating func run(until time: UInt64) {
        while let next = queue.nextTime, next <= time {
            if now < options.duration, next >= options.duration {
                now = options.duration
                healAllFaults()
                // The workload is over: the operator pauses the control plane, so the colony
                // settles for the final reads (moves under way are seen through).
                enqueue(.setPaused(true))
                continue
            }
            guard let (eventTime, event) = queue.pop() else { break }
            now = eventTime
            handle(event)
        }
        now = max(now, time)
        statistics.simulatedNanoseconds = now
        statistics.agreementViolations = agreement.violations
        statistics.majorityViolations = majority.violations
        statistics.control.movesStarted = control.loop.movesStarted
        statistics.control.movesFinished = control.loop.movesFinished
        statistics.control.heldForLiveMajority = control.loop.heldForLiveMajority
        if now >= endTime {
            recordUnfinishedOperations()
        }
    }

    /// The nodes' ids, in order.
    public var nodeIDs: [NodeID] { nodes.map(\.id) }

    /// How many cells each node currently leads, in node order (0 for a node that is down).
    public var leadersPerNode: [Int] {
        nodes.map { node in
            guard let host = node.host else { return 0 }
            return host.cells.reduce(0) { $0 + ((host.replica($1)?.isLeader ?? false) ? 1 : 0) }
        }
    }

    /// Whether each node is up, in node order.
    public var nodesUp: [Bool] { nodes.map(\.isUp) }

    /// Starts every node, places every cell (and the directory) with the production placer
    /// over the fleet, creates each at one of its members as `colony cell create` does, and
    /// has the operator write the directory's first records.
    private mutating func buildColony(layout: FleetLayout) {
        for index in 0..<(options.nodes + options.spareNodes) {
            let id = NodeID(UInt32(index + 1))
            var node = SimNode(id: id)
            // Timers drift and fire late under load: each node's tick is up to 20% longer or
            // shorter than nominal.
            node.tickInterval = options.tick - options.tick / 5 + random.next() % (2 * options.tick / 5 + 1)
            nodes.append(node)
            boot(index)
        }
        let placements = placeCells(on: layout)
        var creations: [Int: [(cell: CellID, configuration: CellConfiguration)]] = [:]
        for (index, placement) in placements.enumerated() {
            let cell = placement.request.cell
            let limits = cell == directoryCell ? CellLimits.ceiling : CellLimits.standard
            let configuration: CellConfiguration
            do {
                configuration = try CellConfiguration(epoch: 1, members: placement.members, startSlot: 1, limits: limits)
            } catch {
                preconditionFailure("Invalid state: the placer chose members no configuration takes: \(error)")
            }
            if cell != directoryCell {
                cells.append(cell)
                cellIndexByID[cell] = index
                initialViews.append(CachedCell(members: configuration.members, leader: nil))
            }
            control.configurations[cell] = configuration
            control.views[cell] = CachedCell(members: configuration.members, leader: nil)
            // As `colony cell create` does: one member creates the cell and tells the others,
            // through the batch path (`CreateCells`), its first member's cells together.
            creations[nodeIndex(configuration.members[0]), default: []].append((cell, configuration))
        }
        for (creator, cells) in creations.sorted(by: { $0.key < $1.key }) {
            var start = 0
            while start < cells.count {
                let batch = Array(cells[start..<min(start + NodeCore.createCellsMax, cells.count)])
                nodes[creator].core?.createCells(batch, waiter: nil)
                carryOutEffects(at: creator)
                start += batch.count
            }
        }
        for index in nodes.indices {
            schedule(.tick(nodeIndex: index), after: random.next() % options.tick)
        }
        bootstrapDirectory(placements: placements)
    }

    /// Every workload cell placed by the placer over the fleet, in order, then the directory.
    private func placeCells(on layout: FleetLayout) -> [Placement] {
        do {
            var placer = try Placer(fleet: layout.initialFleet, configuration: PlacerConfiguration(seed: seed))
            var placements: [Placement] = []
            for cellIndex in 0..<options.cells {
                let request = PlacementRequest(cell: CellID("cell-\(cellIndex)"), replicas: options.replicas(ofCell: cellIndex))
                placements.append(try placer.place(request))
            }
            placements.append(try placer.place(PlacementRequest(cell: directoryCell, replicas: options.replicas)))
            return placements
        } catch {
            preconditionFailure("Invalid state: validated options place every cell: \(error)")
        }
    }

    func nodeIndex(_ node: NodeID) -> Int {
        Int(node.rawValue) - 1
    }

    mutating func schedule(_ event: SimEvent, after delay: UInt64) {
        queue.schedule(event, at: now + delay)
    }

    private mutating func handle(_ event: SimEvent) {
        if let index = event.nodeIndex, nodes[index].pausedUntil != nil || !nodes[index].heldBack.isEmpty {
            // A paused node does nothing: what reaches it is held back until it resumes (a
            // crash ends a pause too, and the first event after it takes the backlog).
            if let until = nodes[index].pausedUntil, until > now {
                nodes[index].heldBack.append(event)
                return
            }
            resume(index)
        }
        switch event {
        case .tick(let index):
            let audits = options.replica.auditsTickSchedule
            let skippedBefore = audits ? nodes[index].host?.skippedTicksThatActed.count ?? 0 : 0
            raiseFormatIfDue(index)
            nodes[index].core?.tick()
            if audits, let skipped = nodes[index].host?.skippedTicksThatActed {
                statistics.skippedTicksThatActed += skipped[skippedBefore...]
            }
            carryOutEffects(at: index)
            schedule(.tick(nodeIndex: index), after: nodes[index].tickInterval)
        case .frame(let from, let index, let bytes):
            guard nodes[index].isUp else { return }
            statistics.framesDelivered += 1
            if bytes.count > 4, bytes[4] == FormatLevel.rehearsal.peerFrameVersion { statistics.framesOfLevelTwo += 1 }
            // A refused frame is noted by the core, and the note counts as a violation.
            nodes[index].core?.receive(frame: bytes[...], from: from)
            carryOutEffects(at: index)
        case .request(let index, let request, let waiter):
            guard nodes[index].isUp else {
                refuseConnection(of: waiter, to: nodes[index].id, request: request)
                return
            }
            let timeoutTicks = requestTimeoutTicks
            if case .changeMembership(let change) = request.operation, !change.isRenewal, let epoch = request.expectedEpoch {
                nodes[index].core?.changeMembership(request.cell, change, expectedEpoch: epoch, waiter: waiter, timeoutTicks: timeoutTicks)
            } else {
                nodes[index].core?.submit(request, waiter: waiter, timeoutTicks: timeoutTicks)
            }
            carryOutEffects(at: index)
        case .reply(let clientIndex, let node, let reply):
            receiveReply(reply, from: node, clientIndex: clientIndex)
        case .connectionRefused(let clientIndex, let node, let request):
            receiveRefusal(of: request, by: node, clientIndex: clientIndex)
        case .clientTimer(let clientIndex, let token):
            clientTimerFired(clientIndex, token: token)
        case .nextFault:
            injectFault()
        case .heal(let faultID):
            heal(faultID)
        case .restart(let index):
            restart(index)
        case .resume(let index):
            if let until = nodes[index].pausedUntil, until > now { return }
            resume(index)
        case .stopNode(let index, let incarnation):
            stopNode(index, incarnation: incarnation)
        case .clogStep(let faultID):
            clogStep(faultID)
        case .controlPass:
            startControlPass()
        case .cellsListed(let summaries, let unreachable):
            cellsListed(summaries, unreachable: unreachable)
        case .operatorTimer(let request, let token):
            operatorTimerFired(request: request, token: token)
        case .operatorAnswer(let request, let node, let answer):
            operatorAnswered(request: request, by: node, answer)
        case .transferRequest(let index, let cell, let to, let request):
            guard nodes[index].isUp else { return }
            takeTransfer(at: index, cell: cell, to: to, request: request)
        case .operatorCommand(let command):
            enqueue(command)
        case .flushDone(let index, let incarnation):
            flushDone(index, incarnation: incarnation)
        case .finalReads:
            startFinalReads()
        }
    }

    /// How long a node lets a request wait for its cell, in ticks: the client's whole deadline.
    var requestTimeoutTicks: UInt64 { max(1, options.operationDeadline / options.tick) }

    /// Carries out node `index`'s effects (see `NodeEffects`): its records go to the node's
    /// log, its frames onto the network, its answers to the clients and the control plane,
    /// and its notes to the statistics and the checks.
    mutating func carryOutEffects(at index: Int) {
        guard let effects = nodes[index].core?.takeEffects(), !effects.isEmpty else { return }
        let node = nodes[index].id
        if let append = effects.append {
            self.append(append, at: index)
        }
        noteReleased(at: index)
        for note in effects.notes {
            observe(note, at: index)
        }
        let level = nodes[index].formatLevel
        for frame in effects.frames {
            if frame.bytes[4] != level.peerFrameVersion, statistics.framesBelowLevel.count < 20 {
                statistics.framesBelowLevel.append("\(node) sent a frame of version \(frame.bytes[4]) while it keeps \(level) (t=\(now)ns)")
            }
            send(frame, from: node)
        }
        for answer in effects.answers {
            deliver(answer, from: node)
        }
    }

    private mutating func observe(_ note: NodeNote, at index: Int) {
        switch note {
        case .cell(let event):
            agreement.observe(event, node: nodes[index].id, time: now)
            switch event.event {
            case .becameLeader:
                statistics.leaderChanges += 1
            case .healed:
                statistics.renewals += 1
            case .forcedHeal:
                statistics.forcedHeals += 1
            case .configurationChanged(let configuration):
                observeConfiguration(configuration, of: event.cell)
            case .stoodForElection, .applied, .steppedDown, .installedSnapshot, .deleted, .refusedMessage, .roundsExhausted:
                break
            }
        case .malformedFrame, .oversizeMessageDropped, .unknownCellsRefused:
            if statistics.refusedFrames.count < 20 {
                statistics.refusedFrames.append("\(nodes[index].id): \(note) (t=\(now)ns)")
            }
        case .hostingNewCell, .refusedDeletedCell, .traceContexts, .leaderNodeLost:
            break
        }
    }

    mutating func send(_ frame: OutgoingFrame, from node: NodeID) {
        if sentFrames.count < sentFramesToKeep { sentFrames.append(frame.bytes) }
        let link = DirectedLink(from: node, to: frame.to)
        guard !network.isBlocked(link) else { return }
        for delay in network.deliveryDelays(using: &random) {
            schedule(.frame(from: node, toIndex: nodeIndex(frame.to), bytes: frame.bytes), after: delay)
        }
    }

    /// Delivers a node's answer to the client attempt or the control plane's request that
    /// waited on it. An answer that came too late for its attempt is dropped by the client.
    private mutating func deliver(_ answer: NodeAnswer, from node: NodeID) {
        guard let delay = network.clientDelay(using: &random) else { return }
        switch (WaiterRoute(answer.waiter), answer.outcome) {
        case (.client(let clientIndex), .reply(let reply)):
            schedule(.reply(clientIndex: clientIndex, node: node, reply: reply), after: delay)
        case (.operatorRequest(let request), .reply(let reply)):
            schedule(.operatorAnswer(request: request, node: node, answer: .reply(reply)), after: delay)
        case (.operatorRequest(let request), .membershipChange(let outcome)):
            schedule(.operatorAnswer(request: request, node: node, answer: .membershipChange(outcome)), after: delay)
        case (.client, .membershipChange), (_, .cellsCreated), (_, .noAnswer):
            // The asker's own attempt timer gives up on it first.
            break
        }
    }
}

/// What clients believe about a cell: its members and, if known, its leader.
struct CachedCell {
    var members: [NodeID]
    var leader: NodeID?
    var epoch: Epoch = 1
}
