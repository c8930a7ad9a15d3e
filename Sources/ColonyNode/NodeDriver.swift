import ColonyCore
import ColonyNodeCore
import ColonyWire
import Logging
import NIOCore
import Tracing

/// The real node's shell around its `NodeCore`: it drives the core on one event loop with
/// real time, peer frames, client and control-plane requests, and carries out the core's
/// effects — records to the write-ahead log's thread, frames to `PeerLinks`, answers to the
/// promises of the calls waiting on them, wakes to watchers, notes to logs and metrics.
///
/// Effects are taken once per turn of the loop, so every cell's messages to one peer
/// produced in that turn leave in one frame.
///
/// Confined to `loop`: every method must be called on it; other threads hop on with
/// `loop.execute`.
final class NodeDriver: @unchecked Sendable {
    let loop: any EventLoop
    private(set) var core: NodeCore
    private let storage: StorageWriter
    private let links: PeerLinks
    let logger: Logger
    let metrics: NodeMetrics
    /// The length of one tick, to turn request timeouts into ticks.
    private let tick: TimeAmount
    private var promises: [WaiterID: EventLoopPromise<NodeAnswerOutcome>] = [:]
    private var lastWaiter: UInt64 = 0
    private var effectsScheduled = false
    private var ticker: RepeatedTask?
    /// How late the ticks came, for the log (see `noteTickDelay()`).
    private var lateTicks = LateTicks(started: .now())
    /// While the node hands its leaderships on: who waits for the last one to go, and until when.
    private var handOff: (promise: EventLoopPromise<Int>, deadline: NIODeadline)?
    /// The watches this node serves and the pulls waiting for their cells to change.
    var watches: WatchBoard
    /// How far ahead of its replica's epoch a client request's expected epoch may be.
    let epochLeadMax: Epoch
    /// The spans of traced requests waiting here; nil when the node traces nothing.
    private var traces: RequestTraces?

    init(
        loop: any EventLoop, core: NodeCore, tick: TimeAmount, storage: StorageWriter, links: PeerLinks, watches: WatchBoard,
        epochLeadMax: Epoch, metrics: NodeMetrics, logger: Logger, tracer: (any Tracer)? = nil
    ) {
        self.traces = tracer.map { RequestTraces(tracer: $0, node: core.host.node) }
        self.loop = loop
        self.core = core
        self.tick = tick
        self.storage = storage
        self.links = links
        self.watches = watches
        self.epochLeadMax = epochLeadMax
        self.metrics = metrics
        self.logger = logger
    }

    /// The replicas this node hosts.
    var host: ReplicaHost { core.host }

    /// Starts the clock: the core ticks every `tick`; carries out what the restart decided.
    func start() {
        loop.preconditionInEventLoop()
        carryOutEffects()
        lateTicks = LateTicks(started: .now())
        ticker = loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            self.noteTickDelay()
            let ticked = self.core.host.replicaTicks
            self.core.tick()
            self.metrics.replicaTicks.increment(by: Int64(self.core.host.replicaTicks - ticked))
            self.carryOutEffects()
            self.checkHandOff()
        }
    }

    /// Measures how late this tick came, and logs long delays.
    private func noteTickDelay() {
        let (delay, report) = lateTicks.tick(at: .now(), length: tick)
        metrics.tickDelay.record(.nanoseconds(delay.nanoseconds))
        if let report { logger.warning("\(report)") }
    }

    // MARK: - Inputs

    /// A frame from peer `sender` after its hello; false when the core refused it (the
    /// caller closes the connection).
    func receive(frame: ArraySlice<UInt8>, from sender: NodeID) -> Bool {
        loop.preconditionInEventLoop()
        let messagesBefore = core.statistics.peerMessagesReceived
        let refusal = core.receive(frame: frame, from: sender)
        if let counters = metrics.peers[sender] {
            counters.framesReceived.increment()
            counters.bytesReceived.increment(by: Int64(frame.count))
            counters.messagesReceived.increment(by: Int64(core.statistics.peerMessagesReceived - messagesBefore))
        }
        if refusal == nil { links.heard(from: sender) }
        scheduleEffects()
        return refusal == nil
    }

    /// A client's request; the future holds the cell's answer, or `noAnswer` if none came
    /// within `timeout` or the node stopped (a write's outcome is then unknown: retry it with
    /// the same id). A request with a `trace` context gets its proposal and log flush traced
    /// under it (see `RequestTraces`).
    func submit(_ request: ClientRequest, timeout: TimeAmount, trace: InstrumentationContext? = nil) -> EventLoopFuture<NodeAnswerOutcome> {
        loop.preconditionInEventLoop()
        let (waiter, future) = makeWaiter()
        if let trace { traces?.begin(request.id, cell: request.cell, waiter: waiter, context: trace) }
        core.submit(request, waiter: waiter, timeoutTicks: ticks(timeout))
        scheduleEffects()
        return future
    }

    /// Replaces a member of `cell` for the control plane; see `NodeCore.changeMembership`.
    func changeMembership(
        _ cell: CellID, _ change: MembershipChange, expectedEpoch: Epoch, timeout: TimeAmount
    ) -> EventLoopFuture<NodeAnswerOutcome> {
        loop.preconditionInEventLoop()
        let (waiter, future) = makeWaiter()
        core.changeMembership(cell, change, expectedEpoch: expectedEpoch, waiter: waiter, timeoutTicks: ticks(timeout))
        scheduleEffects()
        return future
    }

    /// Asks this node's replica of `cell`, if it leads, to hand the lead to `target`.
    func transferLeadership(of cell: CellID, to target: NodeID) -> LeadershipTransferOutcome {
        loop.preconditionInEventLoop()
        defer { scheduleEffects() }
        return core.transferLeadership(of: cell, to: target)
    }

    /// Forces this node's damaged replica of `cell` to vote again; see `NodeCore.forceHeal`.
    func forceHeal(_ cell: CellID) -> ForcedHealOutcome {
        loop.preconditionInEventLoop()
        defer { scheduleEffects() }
        return core.forceHeal(cell)
    }

    /// Creates new cells; the future holds each cell's outcome, in order, once this node's
    /// replicas of them are durable (see `NodeCore.createCells`).
    func createCells(_ cells: [(cell: CellID, configuration: CellConfiguration)]) -> EventLoopFuture<NodeAnswerOutcome> {
        loop.preconditionInEventLoop()
        let (waiter, future) = makeWaiter()
        core.createCells(cells, waiter: waiter)
        scheduleEffects()
        return future
    }

    /// Writes peer frames of format `level` from now on (the colony's directory raised it).
    func raiseFormat(to level: FormatLevel) {
        loop.preconditionInEventLoop()
        core.raiseFormat(to: level)
    }

    /// The peer book changed: each peer `added` is told this process's incarnation (as every
    /// peer known at start was), and the connection to each peer `removed` (gone) is closed.
    func peersChanged(added: [NodeID], removed: [NodeID]) {
        loop.preconditionInEventLoop()
        for peer in removed { links.forget(peer) }
        core.announce(to: added)
        scheduleEffects()
    }

    /// The write-ahead log made every append through `ticket` durable.
    func durable(through ticket: UInt64) {
        loop.preconditionInEventLoop()
        core.durable(through: ticket)
        if traces?.isEmpty == false { traces?.durable(through: ticket) }
        scheduleEffects()
    }

    /// Asks every cell led here to take a new leader, and stops every replica here from
    /// standing for election; the future holds how many replicas still lead once none does
    /// or `deadline` passed (the node keeps exchanging messages meanwhile).
    func handOffLeadership(deadline: NIODeadline) -> EventLoopFuture<Int> {
        loop.preconditionInEventLoop()
        let promise = loop.makePromise(of: Int.self)
        handOff?.promise.succeed(core.leaderCount)
        handOff = (promise, deadline)
        core.handOffLeadership()
        carryOutEffects()
        checkHandOff()
        return promise.futureResult
    }

    /// Stops the clock and answers every request and watch still waiting.
    func stop() {
        loop.preconditionInEventLoop()
        endWatches()
        ticker?.cancel()
        ticker = nil
        handOff?.promise.succeed(core.leaderCount)
        handOff = nil
        core.stop()
        carryOutEffects()
    }

    // MARK: - Effects

    private func makeWaiter() -> (WaiterID, EventLoopFuture<NodeAnswerOutcome>) {
        lastWaiter += 1
        let waiter = WaiterID(lastWaiter)
        let promise = loop.makePromise(of: NodeAnswerOutcome.self)
        promises[waiter] = promise
        return (waiter, promise.futureResult)
    }

    /// `timeout` in ticks, at least one.
    private func ticks(_ timeout: TimeAmount) -> UInt64 {
        UInt64(max(1, (timeout.nanoseconds + tick.nanoseconds - 1) / max(1, tick.nanoseconds)))
    }

    /// Takes the core's effects at the end of this turn of the loop, once however many
    /// inputs came in it.
    private func scheduleEffects() {
        guard !effectsScheduled else { return }
        effectsScheduled = true
        loop.execute { self.carryOutEffects() }
    }

    private func carryOutEffects() {
        effectsScheduled = false
        let effects = core.takeEffects()
        if traces != nil {
            // Announcements first: the accepts they announce may be in this very append.
            for case .traceContexts(let requests, _) in effects.notes { traces?.announce(requests) }
        }
        if let append = effects.append {
            storage.submit(append)
            if traces?.isEmpty == false, let announcements = traces?.appended(append), !announcements.isEmpty {
                // Ahead of the frames that carry the accepts, on the same links.
                links.send(traceFrames(announcements))
            }
        }
        links.send(effects.frames)
        for answer in effects.answers {
            if traces?.isEmpty == false { traces?.answered(answer.waiter) }
            promises.removeValue(forKey: answer.waiter)?.succeed(answer.outcome)
        }
        for note in effects.notes {
            observe(note)
        }
        wakeWatches(of: effects.changedCells)
    }

    /// One `traceContexts` frame for each other member of the announced requests' cells.
    private func traceFrames(_ announcements: [TracedRequest]) -> [OutgoingFrame] {
        var byMember: [NodeID: [TracedRequest]] = [:]
        for announcement in announcements {
            for member in core.host.replica(announcement.cell)?.configuration?.members ?? [] where member != core.host.node {
                byMember[member, default: []].append(announcement)
            }
        }
        return byMember.map { member, requests in
            OutgoingFrame(to: member, bytes: PeerFrame.traceContexts(requests).encoded(level: core.formatWritten), messageCount: 0, isControl: false)
        }
    }

    private func checkHandOff() {
        guard let (promise, deadline) = handOff else { return }
        let leaders = core.leaderCount
        guard leaders == 0 || NIODeadline.now() >= deadline else { return }
        handOff = nil
        promise.succeed(leaders)
    }

    // MARK: - Reading

    /// What this node hosts now, for status pages.
    func status() -> NodeStatus {
        loop.preconditionInEventLoop()
        let host = core.host
        let cells = host.cells.compactMap { cell in host.replica(cell).map { CellStatus($0, leader: host.leaderNamed(by: $0)) } }
        return NodeStatus(
            node: host.node, cells: cells, deletedCells: host.deletedCells, watches: watches.openCount, statistics: core.statistics,
            droppedPeerMessages: links.droppedMessages)
    }

    /// Sets the gauges (replicas, leaders, damaged, resting, leaderless and lagging
    /// replicas, peer connections) from the node as it is now; called before the metrics are
    /// read, and the future completes once they are set.
    func takeCensus() -> EventLoopFuture<Void> {
        loop.preconditionInEventLoop()
        metrics.record(core.host.census, replicas: core.host.replicaCount, resting: core.host.quiescentCount)
        return links.readConnections()
    }
}

extension NodeDriver {
    /// From any thread: hands a client request to the loop and awaits the cell's answer;
    /// see `submit(_:timeout:)`.
    func ask(_ request: ClientRequest, timeout: TimeAmount) async throws -> NodeAnswerOutcome {
        try await loop.flatSubmit { self.submit(request, timeout: timeout) }.get()
    }

    /// From any thread: hands a client's request to the loop and awaits the cell's answer,
    /// (traced under `trace`, if given) unless its expected epoch is further ahead of the replica here than any cell moves
    /// (`epochLeadMax`): that is refused at once.
    func askForClient(
        _ request: ClientRequest, timeout: TimeAmount, trace: InstrumentationContext? = nil
    ) async throws -> Result<NodeAnswerOutcome, EpochTooFarAhead> {
        try await loop.flatSubmit {
            if let refusal = self.core.epochTooFarAhead(request, leadMax: self.epochLeadMax) {
                return self.loop.makeSucceededFuture(.failure(refusal))
            }
            return self.submit(request, timeout: timeout, trace: trace).map { .success($0) }
        }.get()
    }

    /// From any thread: the node's status, read on the loop.
    func currentStatus() async throws -> NodeStatus {
        try await loop.submit { self.status() }.get()
    }
}
