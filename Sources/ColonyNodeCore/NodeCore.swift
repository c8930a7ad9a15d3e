@_spi(Testing) import ColonyCore
import ColonyWire

/// Everything one node decides, as a pure value: the replicas it hosts, the outputs held
/// until the records they rest on are durable, the requests waiting for their cells' answers,
/// cell creation, the control plane's membership changes and leadership transfers, and the
/// hand-off of leadership when the node goes away. Written once; the real node
/// (`ColonyNode`'s NIO shell) and the simulator (`ColonySim`) are thin shells around it.
///
/// It reads no clock, draws no unseeded number and does no IO. Peer traffic comes in and
/// goes out as encoded frames (`PeerFrame`), so every shell runs the wire codec, and a
/// malformed frame is judged here, the same way for both.
///
/// ## Driving it
/// A shell owns one `NodeCore` and, on one thread:
/// 1. calls `tick()` every tick (the shell fixes a tick's length: 10 ms on both shells);
/// 2. hands it every peer frame after the connection's hello (`receive(frame:from:)`),
///    closing the connection when the frame is refused;
/// 3. hands it client requests (`submit`), the control plane's requests (`createCells`,
///    `changeMembership`, `transferLeadership`), and `handOffLeadership()` / `stop()` when
///    the node goes away;
/// 4. after any of these (at the latest before it waits for more input), calls
///    `takeEffects()` and carries the effects out under their ordering contract (see
///    `NodeEffects`): append the records to the write-ahead log; send the frames; deliver
///    the answers; wake the watchers of the changed cells;
/// 5. when the log has made an append durable, calls `durable(through:)` with its ticket,
///    then takes the effects again: the outputs that waited for it are released now.
///
/// ## What is decided here, once
/// - **Persist before send.** An output's messages and replies leave only once every record
///   it and every earlier output asked for is durable (`DurabilityGate`), but for a leader's
///   `accept`s, which leave at once (rule 3 of `ReplicaOutput`'s contract): the leader's own
///   vote for the slot, addressed to this node, comes back to it only once durable.
/// - **One answer per request id.** A request waits under its cell and id; a retry of the
///   same id takes the answer over, and a request not answered by its deadline is answered
///   `timedOut` (`WaiterTable`).
/// - **Deleted cells stay deleted.** Requests still waiting on a cell that was deleted get
///   the tombstone's answer; a creation of a deleted cell is refused.
/// - **The control plane's changes go through the leader's verdict** before they enter the
///   cell's log (`CellReplica.membershipChangeVerdict`).
public struct NodeCore: Sendable {
    /// The replicas of every cell this node hosts.
    public internal(set) var host: ReplicaHost
    /// What the node has done since it started.
    public internal(set) var statistics = NodeStatistics()
    var gate: DurabilityGate
    var waiters = WaiterTable()
    /// Answers to creations waiting for their records to be durable, oldest first.
    var heldCreations: [HeldCreation] = []
    /// Whether the node stopped (`stop()`): requests are answered `stopping` at once.
    public private(set) var isStopped = false
    var outbox: PeerOutbox
    /// Effects gathered since the shell last took them (the outbox aside).
    var pending = NodeEffects()
    /// Released messages the replicas here addressed to this node, waiting to come back to
    /// them (see `deliverOwnMessages()`).
    var ownMessages: [PeerMessage] = []
    /// The cells in `pending.changedCells`, to add each once.
    var changedCellSet: Set<CellID> = []
    /// Ticks seen since the node started.
    var now: UInt64 = 0
    /// Whether a creation asked again tells the cell's members again (off only under the
    /// `creationAskedAgainTellsNoOne` defect).
    let tellsMembersAgain: Bool
    var random: SplitMix64
    /// The format levels this node reads in peer frames; a frame of another is refused.
    public let formatsRead: ClosedRange<FormatLevel>
    /// The format level of the frames this node writes (`raiseFormat(to:)`).
    public private(set) var formatWritten: FormatLevel = .first

    /// Starts a node from what its log recovered: each cell's durable state, and the cells
    /// whose stored state was found damaged (they come back empty, fetch the cell from their
    /// peers and vote again only once renewed). The first effects persist what the restart
    /// decided. `frameBytesMax` is the largest frame body the node's peers accept;
    /// `formatsRead` the format levels of the peer frames it reads (it writes level 1 until
    /// told otherwise).
    public init(
        node: NodeID, durable: [CellID: DurableCellState] = [:], damaged: Set<CellID> = [], options: ReplicaOptions,
        frameBytesMax: Int, formatsRead: ClosedRange<FormatLevel> = FormatLevel.standardRead, seed: UInt64
    ) {
        random = SplitMix64(seed: seed)
        self.formatsRead = formatsRead
        let (host, output) = ReplicaHost.restore(node: node, durable: durable, damaged: damaged, options: options, seed: random.next())
        self.host = host
        gate = DurabilityGate(releasesBeforeDurable: options.defects.contains(.sendsBeforeDurable))
        tellsMembersAgain = !options.defects.contains(.creationAskedAgainTellsNoOne)
        outbox = PeerOutbox(frameBytesMax: frameBytesMax, incarnation: host.incarnation)
        carryOut(output)
    }

    /// The node this core runs.
    public var node: NodeID { host.node }

    /// The newest append ticket any released message or reply rested on: a node that
    /// crashes must recover at least the records through it.
    public var releasedTicket: UInt64 { gate.releasedTicket }

    /// How many outputs wait for their records to be durable.
    public var heldOutputCount: Int { gate.heldCount }

    /// How many requests wait for their cells' answers.
    public var waitingCount: Int { waiters.count }

    /// How many creations wait for their records to be durable before they are answered.
    public var heldCreationCount: Int { heldCreations.count }

    // MARK: - Inputs

    /// Advances every replica by one tick, and answers `timedOut` to the requests whose
    /// deadline this tick is.
    public mutating func tick() {
        now += 1
        carryOut(host.tick())
        for waiter in waiters.expire(at: now) {
            pending.answers.append(NodeAnswer(waiter: waiter.id, outcome: .noAnswer(.timedOut)))
        }
    }

    /// A frame from peer `sender`, after its connection's hello (header included). Returns
    /// nil when the frame was taken, or why it was refused: the shell then closes the
    /// connection that carried it (the refusal is also noted).
    @discardableResult
    public mutating func receive(frame bytes: ArraySlice<UInt8>, from sender: NodeID) -> PeerFrameError? {
        let frame: PeerFrame
        do throws(PeerFrameError) {
            let header = try PeerFrameHeader(bytes, frameBytesMax: outbox.frameBytesMax, read: formatsRead)
            frame = try PeerFrame.decode(header, body: bytes.dropFirst(PeerFrame.headerBytes))
        } catch {
            pending.notes.append(.malformedFrame(from: sender, error))
            return error
        }
        switch frame {
        case .messages(let messages, let incarnation):
            host.heard(from: sender)
            host.noteIncarnation(of: sender, incarnation)
            statistics.peerMessagesReceived += messages.count
            let refusalsBefore = host.unknownCellRefusals
            carryOut(host.receive(messages, from: sender))
            if host.unknownCellRefusals > refusalsBefore {
                pending.notes.append(.unknownCellsRefused(from: sender, messages: host.unknownCellRefusals - refusalsBefore))
            }
        case .createCell(let cell, let configuration):
            host.heard(from: sender)
            createReplica(cell, configuration: configuration, askedBy: sender)
        case .liveness(let incarnation):
            host.receiveLiveness(from: sender, incarnation: incarnation)
        case .traceContexts(let requests):
            host.heard(from: sender)
            pending.notes.append(.traceContexts(requests, from: sender))
        case .hello:
            pending.notes.append(.malformedFrame(from: sender, .unexpectedHello))
            return .unexpectedHello
        }
        return nil
    }

    /// Tells each of `peers` this process's incarnation: a shell calls it once at start with
    /// every peer it knows, so peers that knew an earlier incarnation wake what waited on this
    /// node (see `ReplicaHost+Liveness.swift`). Nothing sends these frames again, so they are
    /// control frames, kept until the peer's connection is up.
    public mutating func announce(to peers: [NodeID]) {
        let frame = PeerFrame.liveness(incarnation: host.incarnation).encoded(level: formatWritten)
        for peer in peers where peer != node {
            pending.frames.append(OutgoingFrame(to: peer, bytes: frame, messageCount: 0, isControl: true))
        }
    }

    /// Writes the peer frames of `level` from now on, when it is above the level written and
    /// one this node reads (the colony's directory raised it); returns whether it did. A level
    /// is never lowered.
    @discardableResult
    public mutating func raiseFormat(to level: FormatLevel) -> Bool {
        guard level > formatWritten, formatsRead.contains(level) else { return false }
        formatWritten = level
        return true
    }

    /// The write-ahead log made every append through `ticket` durable: what waited for them
    /// is released.
    public mutating func durable(through ticket: UInt64) {
        for output in gate.durable(through: ticket) {
            release(output)
        }
        releaseCreations(durableThrough: ticket)
        deliverOwnMessages()
    }

    /// Asks every cell led here to take a new leader, and stops every replica here from
    /// standing for election (the node is going away); `leaderCount` says when none leads.
    public mutating func handOffLeadership() {
        carryOut(host.handOffLeadership())
    }

    /// How many replicas here lead their cell.
    public var leaderCount: Int { host.census.leaders }

    /// The node stops: every request still waiting is answered `stopping`, and so is every
    /// request that arrives after.
    public mutating func stop() {
        isStopped = true
        for waiter in waiters.takeAll() {
            pending.answers.append(NodeAnswer(waiter: waiter.id, outcome: .noAnswer(.stopping)))
        }
        for held in heldCreations {
            pending.answers.append(NodeAnswer(waiter: held.answer.waiter, outcome: .noAnswer(.stopping)))
        }
        heldCreations.removeAll()
    }

    /// Everything to carry out since the last call (see `NodeEffects` for the order).
    public mutating func takeEffects() -> NodeEffects {
        var effects = pending
        pending = NodeEffects()
        changedCellSet.removeAll(keepingCapacity: true)
        effects.append = gate.takeAppend()
        let (frames, dropped) = outbox.takeFrames(level: formatWritten)
        effects.frames.append(contentsOf: frames)
        effects.notes.append(contentsOf: dropped)
        // Every peer the host stopped trusting as a leader since, whichever event it came in.
        effects.notes.append(contentsOf: host.takeLeaderNodeLosses().map(NodeNote.leaderNodeLost))
        return effects
    }
}

/// Counters of a running node since it started.
public struct NodeStatistics: Hashable, Sendable {
    /// Client requests received.
    public var requestsReceived = 0
    /// Replica messages received from peers.
    public var peerMessagesReceived = 0
    /// Times a replica here became its cell's leader.
    public var leaderChanges = 0
    /// Log slots applied, over all replicas.
    public var slotsApplied = 0
    /// Damaged replicas an operator forced to vote again (`forceHeal(_:)`).
    public var forcedHeals = 0

    /// Makes zeroed counters.
    public init() {}
}
