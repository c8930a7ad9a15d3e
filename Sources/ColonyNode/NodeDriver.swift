import ColonyCore
import Logging
import NIOCore

/// The heart of a running node: the `ReplicaHost` of all its replicas, driven on one event
/// loop by real time, peer frames and client requests, under the ordering contract — an
/// output's messages and replies leave only once the log records it rests on are durable.
///
/// Confined to `loop`: every method must be called on it; other threads hop on with
/// `loop.execute`.
final class NodeDriver: @unchecked Sendable {
    /// Requests are matched to replies by cell and request id (request ids count per cell).
    private struct ReplyKey: Hashable {
        var cell: CellID
        var id: RequestID
    }

    let loop: any EventLoop
    private(set) var host: ReplicaHost
    private let storage: StorageWriter
    private let links: PeerLinks
    private let logger: Logger
    private let metrics: NodeMetrics
    private var submittedTicket: UInt64 = 0
    private var durableTicket: UInt64 = 0
    /// Outputs waiting for their records, oldest first, with the ticket they wait for.
    private var held: [(ticket: UInt64, output: HostOutput)] = []
    private var heldStart = 0
    private var waiters: [ReplyKey: EventLoopPromise<ClientReply>] = [:]
    private var ticker: RepeatedTask?
    /// While the node hands its leaderships on: who waits for the last one to go, and until when.
    private var handOff: (promise: EventLoopPromise<Int>, deadline: NIODeadline)?
    private(set) var statistics = NodeStatistics()
    /// The watches this node serves and the pulls waiting for their cells to change.
    var watches: WatchBoard

    init(
        loop: any EventLoop, host: ReplicaHost, storage: StorageWriter, links: PeerLinks, watchesMax: Int, metrics: NodeMetrics,
        logger: Logger
    ) {
        self.loop = loop
        self.metrics = metrics
        self.host = host
        self.storage = storage
        self.links = links
        self.watches = WatchBoard(watchesMax: watchesMax)
        self.logger = logger
    }

    /// Starts the clock: every replica ticks every `tick`.
    func start(tick: TimeAmount, restoreOutput: HostOutput) {
        loop.preconditionInEventLoop()
        carryOut(restoreOutput)
        ticker = loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            self.carryOut(self.host.tick())
            self.checkHandOff()
        }
    }

    /// Asks every cell led here to take a new leader, and stops every replica here from
    /// standing for election; the future holds how many replicas still lead once none does
    /// or `deadline` passed (the node keeps exchanging messages meanwhile).
    func handOffLeadership(deadline: NIODeadline) -> EventLoopFuture<Int> {
        loop.preconditionInEventLoop()
        let promise = loop.makePromise(of: Int.self)
        handOff?.promise.fail(NodeRequestError.stopping)
        handOff = (promise, deadline)
        carryOut(host.handOffLeadership())
        checkHandOff()
        return promise.futureResult
    }

    /// Asks this node's replica of `cell`, if it leads, to hand the lead to member `target`
    /// (see `CellReplica.transferLeadership(to:)`), sending the request at once.
    func transferLeadership(of cell: CellID, to target: NodeID) -> LeadershipTransferOutcome {
        loop.preconditionInEventLoop()
        if let tombstone = host.tombstone(cell) { return .deleted(tombstone) }
        switch host.transferLeadership(of: cell, to: target) {
        case nil:
            return .notHosted
        case .success(let output)?:
            carryOut(output)
            return .asked
        case .failure(let refusal)?:
            return .refused(refusal)
        }
    }

    private func checkHandOff() {
        guard let (promise, deadline) = handOff else { return }
        let leaders = host.census.leaders
        guard leaders == 0 || NIODeadline.now() >= deadline else { return }
        handOff = nil
        promise.succeed(leaders)
    }

    /// Stops the clock and refuses every request and watch still waiting.
    func stop() {
        loop.preconditionInEventLoop()
        endWatches()
        ticker?.cancel()
        ticker = nil
        handOff?.promise.succeed(host.census.leaders)
        handOff = nil
        for promise in waiters.values {
            promise.fail(NodeRequestError.stopping)
        }
        waiters = [:]
    }

    // MARK: - Inputs

    /// A frame from peer `sender`.
    func receive(_ frame: PeerFrameContent, from sender: NodeID) {
        loop.preconditionInEventLoop()
        switch frame {
        case .messages(let messages):
            statistics.peerMessagesReceived += messages.count
            carryOut(host.receive(messages, from: sender))
        case .createCell(let cell, let configuration):
            guard configuration.contains(host.node) else { return }
            if let tombstone = host.tombstone(cell) {
                logger.warning(
                    "refusing to create cell \(cell.name) again: it was deleted at revision \(tombstone.revision)",
                    metadata: ["from": "\(sender)"])
                return
            }
            if host.replica(cell) == nil {
                logger.info("hosting a replica of new cell \(cell.name)", metadata: ["from": "\(sender)"])
            }
            carryOut(host.createCell(cell, configuration: configuration))
        }
    }

    /// A client's request; the future holds the cell's answer, or fails with
    /// `NodeRequestError.timedOut` if none came before `deadline` (a write's outcome is then
    /// unknown: retry it with the same id).
    func submit(_ request: ClientRequest, deadline: NIODeadline) -> EventLoopFuture<ClientReply> {
        loop.preconditionInEventLoop()
        statistics.requestsReceived += 1
        let key = ReplyKey(cell: request.cell, id: request.id)
        let promise = loop.makePromise(of: ClientReply.self)
        if let earlier = waiters.updateValue(promise, forKey: key) {
            // The client retried before the first attempt was answered; the answer goes to the retry.
            earlier.succeed(ClientReply(id: request.id, cell: request.cell, outcome: .unavailable(.superseded)))
        }
        let timeout = loop.scheduleTask(deadline: deadline) {
            guard let waiting = self.waiters[key], waiting.futureResult === promise.futureResult else { return }
            self.waiters[key] = nil
            waiting.fail(NodeRequestError.timedOut)
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        carryOut(host.submit(request))
        return promise.futureResult
    }

    /// Creates this node's replica of a new cell (if it is a member) and tells every other
    /// member to create theirs; refused when this node hosts the cell already or holds the
    /// tombstone of a deleted cell of that name.
    @discardableResult
    func createCell(_ cell: CellID, configuration: CellConfiguration) -> CellCreation {
        loop.preconditionInEventLoop()
        if let tombstone = host.tombstone(cell) { return .deleted(tombstone) }
        if let existing = host.replica(cell) { return .exists(existing.configuration) }
        for member in configuration.members where member != host.node {
            links.send(.createCell(cell, configuration), to: member)
        }
        if configuration.contains(host.node) {
            carryOut(host.createCell(cell, configuration: configuration))
        }
        return .created
    }

    /// The write-ahead log made every submission up to `ticket` durable.
    func durable(through ticket: UInt64) {
        loop.preconditionInEventLoop()
        durableTicket = max(durableTicket, ticket)
        while heldStart < held.count, held[heldStart].ticket <= durableTicket {
            let output = held[heldStart].output
            heldStart += 1
            release(output)
        }
        if heldStart == held.count {
            held.removeAll(keepingCapacity: true)
            heldStart = 0
        }
    }

    /// What this node hosts now, for status pages.
    func status() -> NodeStatus {
        loop.preconditionInEventLoop()
        let cells = host.cells.compactMap { cell in host.replica(cell).map { CellStatus($0) } }
        return NodeStatus(
            node: host.node, cells: cells, deletedCells: host.deletedCells, watches: watches.openCount, statistics: statistics,
            droppedPeerMessages: links.droppedMessages)
    }

    /// Sets the gauges (replicas, leaders, damaged replicas) from the replicas as they are
    /// now; called before the metrics are read.
    func takeCensus() {
        loop.preconditionInEventLoop()
        let census = host.census
        metrics.replicas.record(host.replicaCount)
        metrics.leaders.record(census.leaders)
        metrics.damagedReplicas.record(census.damaged)
    }

    // MARK: - Outputs

    private func carryOut(_ output: HostOutput) {
        for event in output.events {
            note(event)
        }
        if !output.persist.isEmpty {
            submittedTicket = storage.submit(output.persist)
        }
        if submittedTicket <= durableTicket, heldStart == held.count {
            release(output)
        } else {
            held.append((submittedTicket, output))
        }
    }

    private func release(_ output: HostOutput) {
        for batch in output.batches {
            links.send(batch)
        }
        for reply in output.replies {
            waiters.removeValue(forKey: ReplyKey(cell: reply.cell, id: reply.id))?.succeed(reply)
        }
        for event in output.events {
            if case .deleted(let tombstone) = event.event {
                refuseWaiters(of: event.cell, tombstone)
            }
        }
        wakeWatches(after: output)
    }

    /// The cell was deleted: requests still waiting for it will get no answer from its
    /// replica, so they get the tombstone's.
    private func refuseWaiters(of cell: CellID, _ tombstone: CellTombstone) {
        for key in waiters.keys where key.cell == cell {
            let request = ClientRequest(id: key.id, cell: cell, operation: .deleteCell)
            waiters.removeValue(forKey: key)?.succeed(tombstone.reply(to: request))
        }
    }

    private func note(_ event: CellEvent) {
        let metadata: Logger.Metadata = ["cell": "\(event.cell.name)"]
        switch event.event {
        case .becameLeader:
            statistics.leaderChanges += 1
            metrics.leaderChanges.increment()
            logger.debug("leading", metadata: metadata)
        case .healed:
            logger.notice("replica renewed by its cell; it votes again", metadata: metadata)
        case .configurationChanged(let configuration):
            logger.info("members now \(configuration.members)", metadata: metadata)
        case .applied(let slot, let batch):
            statistics.slotsApplied += 1
            guard logger.logLevel <= .debug else { return }
            // The request id is the same on every node, so one grep finds a request's path.
            for case .client(let command) in batch {
                logger.debug("applied", metadata: ["cell": "\(event.cell.name)", "request": "\(command.id)", "slot": "\(slot)"])
            }
        case .deleted(let tombstone):
            logger.notice("cell deleted at revision \(tombstone.revision); keeping its tombstone", metadata: metadata)
        case .steppedDown, .installedSnapshot:
            break
        }
    }
}

extension NodeDriver {
    /// From any thread: hands a client request to the loop and awaits the cell's answer;
    /// see `submit(_:deadline:)`.
    func ask(_ request: ClientRequest, timeout: TimeAmount) async throws -> ClientReply {
        try await loop.flatSubmit { self.submit(request, deadline: .now() + timeout) }.get()
    }

    /// From any thread: the node's status, read on the loop.
    func currentStatus() async throws -> NodeStatus {
        try await loop.submit { self.status() }.get()
    }
}

/// Why a request got no answer from its cell.
enum NodeRequestError: Error, Hashable, Sendable {
    /// No answer before the request's deadline; a write may still take effect.
    case timedOut
    /// The node is shutting down; a write may still take effect.
    case stopping
}

/// What became of a request to create a cell.
enum CellCreation: Hashable, Sendable {
    /// The cell was created.
    case created
    /// This node hosts the cell already, with this configuration (nil: not fetched yet).
    case exists(CellConfiguration?)
    /// A cell of that name was deleted here; its name is not reused.
    case deleted(CellTombstone)
}

/// The contents of a peer frame after the hello, as the node acts on them.
enum PeerFrameContent: Sendable {
    case messages([PeerMessage])
    case createCell(CellID, CellConfiguration)
}
