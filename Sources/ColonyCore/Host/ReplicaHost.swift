/// The replicas of every cell one node hosts, driven together: a pure value, events in and
/// outputs out, written once for both the simulator and the real node.
///
/// It routes each peer message and client request to its cell's replica, ticks each awake
/// replica when a timer of its is due (`TickSchedule`), and gathers what they ask for into one
/// `HostOutput` whose messages are grouped per destination node, so a node sends one batch per
/// peer per event however many cells spoke. A message for a cell the node does not host yet,
/// sent by a leader or candidate (a poll only once the candidate applied something:
/// `PeerMessageBody.makesUnknownCell`), creates an empty replica there that joins from a
/// snapshot and votes once renewed: that is how a node added to a cell gets its replica. Such a
/// replica stays *unconfirmed* — bounded in number, per node and per sending peer, persisting
/// nothing, forgotten after a while — until it installs a snapshot that names this node and its
/// sender members of the cell (see `ReplicaHost+Unconfirmed.swift`), so a peer's messages about
/// made-up cells never make a node keep state without bound.
///
/// A deleted cell's replica is replaced by its tombstone (see `CellTombstone`). The rule the
/// tombstone keeps: a message for a deleted cell never makes the host create a replica of it
/// again; a request that waits for an answer gets the tombstone back, a client request gets
/// `cellDeleted`, and `createCell` of that name does nothing.
public struct ReplicaHost: Sendable {
    /// The node this host runs on.
    public let node: NodeID
    /// The options every replica here uses, shared with them.
    let sharedOptions: SharedReplicaOptions
    var random: SplitMix64
    /// The replicas, in the order they were added; an array so each is changed in place.
    var replicas: [CellReplica] = []
    /// Where each cell's replica is in `replicas`.
    var positions: [CellID: Int] = [:]
    /// Which replicas are awake and ticked, and what the resting ones wait for.
    var quiet = QuietCells()
    /// When each awake replica is next ticked.
    var schedule = TickSchedule()
    /// The run of this node's process, drawn when the host is made: peers that see it change
    /// know the node restarted (see `ReplicaHost+Liveness.swift`).
    public let incarnation: UInt64
    /// The deleted cells this node hosted, each with its tombstone.
    private var tombstones: [CellID: CellTombstone] = [:]
    /// The replicas made for a peer's message and not yet confirmed, by cell.
    var unconfirmed: [CellID: UnconfirmedReplica] = [:]
    /// How many of `unconfirmed` each peer's messages made.
    var unconfirmedPerPeer: [NodeID: Int] = [:]
    /// Ticks seen since the host was made.
    var now: UInt64 = 0
    /// Messages for an unknown cell refused because the bounds on unconfirmed replicas were
    /// reached, since the host was made.
    public internal(set) var unknownCellRefusals = 0
    /// How many times a replica here was ticked, since the host was made: the work the tick
    /// schedule leaves, one per replica per tick at which a timer of its was due (or had been,
    /// before a message moved it later).
    public internal(set) var replicaTicks = 0
    /// Awake replicas the host did not tick at a tick at which they had something to do, for
    /// tests (see `ReplicaOptions.auditsTickSchedule`); empty unless that audit is on.
    @_spi(Testing) public internal(set) var skippedTicksThatActed: [String] = []
    /// Peers stopped being trusted as leaders, not yet taken by the shell
    /// (`takeLeaderNodeLosses()`).
    var leaderNodeLosses: [LeaderNodeLoss] = []

    /// Makes a host with no replicas.
    public init(node: NodeID, options: ReplicaOptions, seed: UInt64) {
        self.node = node
        self.sharedOptions = SharedReplicaOptions(options)
        var random = SplitMix64(seed: seed)
        self.incarnation = random.next()
        self.random = random
    }

    /// Rebuilds a host after a restart from each cell's durable state; the cells whose stored
    /// state was found damaged come back empty, to be fetched from peers and renewed. The
    /// output persists what the rebuild decided.
    public static func restore(
        node: NodeID, durable: [CellID: DurableCellState], damaged: Set<CellID>, options: ReplicaOptions, seed: UInt64
    ) -> (host: ReplicaHost, output: HostOutput) {
        var host = ReplicaHost(node: node, options: options, seed: seed)
        var builder = HostOutputBuilder()
        for cell in Set(durable.keys).union(damaged).sorted() {
            if !damaged.contains(cell), let tombstone = durable[cell]?.tombstone {
                host.tombstones[cell] = tombstone
                continue
            }
            let seed = host.random.next()
            var (replica, output) = damaged.contains(cell)
                ? CellReplica.empty(cell: cell, node: node, options: host.sharedOptions, seed: seed)
                : CellReplica.restore(cell: cell, node: node, from: durable[cell] ?? DurableCellState(), options: host.sharedOptions, seed: seed)
            replica.restUntilWoken()
            host.insert(replica)
            builder.add(output, cell: cell)
        }
        return (host, builder.build())
    }

    /// The options every replica here uses.
    public var options: ReplicaOptions { sharedOptions.value }

    /// The hosted cells, in ascending order.
    public var cells: [CellID] {
        replicas.map(\.cell).sorted()
    }

    /// How many replicas this node hosts.
    public var replicaCount: Int { replicas.count }

    /// What the replicas here are doing (leading, damaged, without a leader, lagging);
    /// counted in place, without copying a replica.
    public var census: ReplicaCensus {
        var census = ReplicaCensus()
        for index in replicas.indices {
            census.count(replicas[index])
        }
        // Each names as its leader a candidate that is not elected yet.
        census.withoutLeader += quiet.awaitingCandidate.count
        return census
    }

    /// The replica of `cell`, if hosted here.
    public func replica(_ cell: CellID) -> CellReplica? {
        positions[cell].map { replicas[$0] }
    }

    /// The tombstone of `cell`, if it was deleted while this node hosted it.
    public func tombstone(_ cell: CellID) -> CellTombstone? {
        tombstones[cell]
    }

    /// The deleted cells this node keeps tombstones of, in ascending order.
    public var deletedCells: [CellID] {
        tombstones.keys.sorted()
    }

    /// Up to `limit` changes of `cell` after revision `after`, from its replica's feed; nil
    /// when no replica of the cell is hosted here.
    public func changes(of cell: CellID, after: Revision, limit: Int) -> ChangeFeedRead? {
        positions[cell].map { replicas[$0].feed.read(after: after, limit: limit) }
    }

    /// Creates this node's replica of a new cell with its first configuration, resting until
    /// the cell's first election (see `ReplicaHost+FirstElections.swift`); does nothing when
    /// the cell is hosted already or was deleted here.
    public mutating func createCell(_ cell: CellID, configuration: CellConfiguration) -> HostOutput {
        var builder = HostOutputBuilder()
        forgetUnconfirmed(cell)
        guard positions[cell] == nil, tombstones[cell] == nil else { return builder.build() }
        let (replica, output) = CellReplica.create(
            cell: cell, node: node, configuration: configuration, options: sharedOptions, seed: random.next())
        insert(replica)
        awaitFirstElection(cell)
        builder.add(output, cell: cell)
        return builder.build()
    }

    /// Delivers a batch of messages from peer node `sender`.
    public mutating func receive(_ messages: [PeerMessage], from sender: NodeID) -> HostOutput {
        var builder = HostOutputBuilder()
        for message in messages {
            if let tombstone = tombstones[message.cell] {
                if let answer = tombstone.answer(message.body) {
                    builder.send(PeerMessage(cell: message.cell, body: answer), to: sender)
                }
                continue
            }
            var position = positions[message.cell]
            if position == nil, message.body.makesUnknownCell {
                position = admitUnknownCell(message.cell, for: message.body, from: sender)
            }
            guard let position else { continue }
            // A first candidate's own poll, in the cell's epoch, within the counters' bound:
            // anything else takes the path of every message, and its checks.
            if case .poll(let ballot, let applied) = message.body, message.body.largestCounter <= CounterBounds.adoptedMax,
               ballot.node == sender, ballot.epoch == replicas[position].configuration?.epoch,
               replicas[position].isQuiescent, awaitsCandidate(message.cell), replicas[position].leaderHint == sender {
                builder.add(replicas[position].answerPollResting(ballot, appliedThrough: applied, from: sender), cell: message.cell)
                continue
            }
            prepareToHandle(position, byPeer: true)
            let output = replicas[position].receive(message.body, from: sender)
            if output.events.contains(where: { if case .becameLeader = $0 { true } else { false } }) {
                tellNewLeaderOfRestarts(position)
            }
            settle(position)
            if unconfirmed[message.cell] != nil {
                guard let kept = confirmOrForget(position, output, from: sender) else { continue }
                builder.add(kept, cell: message.cell)
                continue
            }
            builder.add(output, cell: message.cell)
            buryIfDeleted(position)
        }
        return builder.build()
    }

    /// Hands a client request to its cell's replica; a cell not hosted here is redirected.
    public mutating func submit(_ request: ClientRequest) -> HostOutput {
        var builder = HostOutputBuilder()
        if let tombstone = tombstones[request.cell] {
            builder.reply(tombstone.reply(to: request))
        } else if let position = positions[request.cell] {
            prepareToHandle(position)
            builder.add(replicas[position].submit(request), cell: request.cell)
            settle(position)
            buryIfDeleted(position)
        } else {
            builder.reply(ClientReply(id: request.id, cell: request.cell, outcome: .redirect(leader: nil, configuration: nil)))
        }
        return builder.build()
    }

    /// Prepares every replica for this node going away: leaders ask another member to take
    /// over, and no replica here stands for election any more (see `CellReplica.handOff()`).
    public mutating func handOffLeadership() -> HostOutput {
        var builder = HostOutputBuilder()
        for position in replicas.indices {
            if replicas[position].isLeader || quiet.isAwake(position) { prepareToHandle(position) }
            let output = replicas[position].handOff()
            settle(position)
            if !output.isEmpty {
                builder.add(output, cell: replicas[position].cell)
            }
        }
        return builder.build()
    }

    /// Wakes this node's replica of `cell` if it rests, or brings its clock to the host's if it
    /// is awake, so that what is read of it next (a leader's verdict on a membership change,
    /// which counts the members it heard from lately) reflects a replica at work now.
    public mutating func wake(_ cell: CellID) {
        guard let position = positions[cell] else { return }
        prepareToHandle(position)
        settle(position)
    }

    /// Asks this node's replica of `cell`, if it leads, to hand the lead to member `target`
    /// (see `CellReplica.transferLeadership(to:)`); nil when the cell is not hosted here.
    public mutating func transferLeadership(of cell: CellID, to target: NodeID) -> Result<HostOutput, LeadershipTransferRefusal>? {
        guard let position = positions[cell] else { return nil }
        prepareToHandle(position)
        defer { settle(position) }
        return replicas[position].transferLeadership(to: target).map { output in
            var builder = HostOutputBuilder()
            builder.add(output, cell: cell)
            return builder.build()
        }
    }

    /// Forces this node's damaged replica of `cell` to vote again without a renewal (see
    /// `CellReplica.forceHeal()`); nil when the cell is not hosted here.
    public mutating func forceHeal(_ cell: CellID) -> Result<HostOutput, ForcedHealRefusal>? {
        guard let position = positions[cell] else { return nil }
        prepareToHandle(position)
        defer { settle(position) }
        return replicas[position].forceHeal().map { output in
            var builder = HostOutputBuilder()
            builder.add(output, cell: cell)
            return builder.build()
        }
    }

    /// Advances every awake replica by one tick, wakes followers of leaders whose nodes are
    /// gone, and owes peers their liveness heartbeats.
    public mutating func tick() -> HostOutput {
        var builder = HostOutputBuilder()
        now += 1
        forgetExpiredUnconfirmed()
        wakeFollowersOfSilentLeaders()
        tickAwake(&builder)
        builder.owe(liveness: peersOwedLiveness())
        return builder.build()
    }

    /// Replaces the replica at `position` by its tombstone if its cell was just deleted.
    mutating func buryIfDeleted(_ position: Int) {
        guard let tombstone = replicas[position].tombstone else { return }
        tombstones[replicas[position].cell] = tombstone
        remove(at: position)
    }

    /// Drops the replica at `position`; the last replica moves into the freed position.
    mutating func remove(at position: Int) {
        forgetQuiet(position)
        positions[replicas[position].cell] = nil
        let last = replicas.count - 1
        if position != last {
            replicas.swapAt(position, last)
            positions[replicas[position].cell] = position
            quiet.move(from: last, to: position)
        }
        schedule.remove(at: position)
        replicas.removeLast()
    }

    /// Adds `replica` at the end, awake unless it rests (a restored replica); returns its position.
    @discardableResult
    mutating func insert(_ replica: CellReplica) -> Int {
        let position = replicas.count
        replicas.append(replica)
        positions[replica.cell] = position
        schedule.append()
        if !replica.isQuiescent { startTicking(position) }
        return position
    }
}
