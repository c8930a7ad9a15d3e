/// What a node must do after one event, across all the replicas it hosts. The ordering
/// contract of `ReplicaOutput` holds for the whole: persist every record, then release the
/// batches and replies.
public struct HostOutput: Sendable {
    /// Records to make durable, each with its cell, in order.
    public var persist: [CellRecord] = []
    /// Messages to peer nodes, one batch per destination, in node order.
    public var batches: [PeerBatch] = []
    /// Answers to clients.
    public var replies: [ClientReply] = []
    /// Observations, each with its cell.
    public var events: [CellEvent] = []
    /// Peers owed a liveness heartbeat (see `ReplicaHost+Liveness.swift`), in node order.
    public var liveness: [NodeID] = []

    /// Makes an empty output.
    public init() {}

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        persist.isEmpty && batches.isEmpty && replies.isEmpty && events.isEmpty && liveness.isEmpty
    }
}

/// A durable record of one cell.
public struct CellRecord: Hashable, Sendable {
    /// The cell the record belongs to.
    public var cell: CellID
    /// The record.
    public var record: DurableRecord

    /// Pairs a record with its cell.
    public init(cell: CellID, record: DurableRecord) {
        self.cell = cell
        self.record = record
    }
}

/// Every message from one node to one peer produced by one event, sent together.
public struct PeerBatch: Hashable, Sendable {
    /// The destination node.
    public var to: NodeID
    /// The messages, in the order they were produced.
    public var messages: [PeerMessage]

    /// Makes a batch.
    public init(to: NodeID, messages: [PeerMessage]) {
        self.to = to
        self.messages = messages
    }
}

/// An observation of one replica.
public struct CellEvent: Hashable, Sendable {
    /// The cell.
    public var cell: CellID
    /// What happened.
    public var event: ReplicaEvent

    /// Pairs an event with its cell.
    public init(cell: CellID, event: ReplicaEvent) {
        self.cell = cell
        self.event = event
    }
}

/// Gathers the outputs of many replicas into one `HostOutput`, grouping messages by node.
struct HostOutputBuilder {
    private var output = HostOutput()

    mutating func add(_ replicaOutput: ReplicaOutput, cell: CellID) {
        for record in replicaOutput.persist {
            output.persist.append(CellRecord(cell: cell, record: record))
        }
        for outgoing in replicaOutput.messages {
            // A node's peers in one event are few: a linear search beats hashing here.
            if let index = output.batches.firstIndex(where: { $0.to == outgoing.to }) {
                output.batches[index].messages.append(outgoing.message)
            } else {
                output.batches.append(PeerBatch(to: outgoing.to, messages: [outgoing.message]))
            }
        }
        output.replies.append(contentsOf: replicaOutput.replies)
        for event in replicaOutput.events {
            output.events.append(CellEvent(cell: cell, event: event))
        }
    }

    mutating func owe(liveness peers: [NodeID]) {
        output.liveness.append(contentsOf: peers)
    }

    mutating func reply(_ reply: ClientReply) {
        output.replies.append(reply)
    }

    mutating func send(_ message: PeerMessage, to node: NodeID) {
        var single = ReplicaOutput()
        single.messages.append(OutgoingMessage(to: node, message: message))
        add(single, cell: message.cell)
    }

    /// The gathered output, batches in ascending node order so runs replay exactly.
    func build() -> HostOutput {
        var result = output
        result.batches.sort { $0.to < $1.to }
        return result
    }
}
