import ColonyCore
import ColonyWire

/// Names one request a shell handed to the node core and waits on: the core's answer to it
/// comes back in `NodeEffects.answers` under the same id. The shell chooses the ids; each is
/// used for one request.
public struct WaiterID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The shell's number for the request.
    public var rawValue: UInt64

    /// Wraps a number.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: WaiterID, rhs: WaiterID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "w\(rawValue)" }
}

/// Everything the node core asks its shell to do since the shell last asked (etcd raft's
/// `Ready`, for a whole node).
///
/// The ordering contract:
/// 1. `append`: make these records durable, in order, in the node's write-ahead log (one
///    flush may cover several appends: group commit), then call `NodeCore.durable(through:)`
///    with the append's ticket, or a later one.
/// 2. `frames` and `answers` rest only on records already reported durable: send and deliver
///    them at once, in any order. The core holds back whatever rests on records not yet
///    durable and releases it in the effects after the `durable(through:)` that covers them.
/// 3. `changedCells`: cells whose state changed in what was released; wake their watchers.
/// 4. `notes`: observations for logs, metrics and checks; they oblige nothing.
public struct NodeEffects: Sendable {
    /// Records to make durable, if any.
    public var append: LogAppend?
    /// Frames for peer nodes, each ready to write to the peer's connection.
    public var frames: [OutgoingFrame] = []
    /// Answers to the requests shells wait on.
    public var answers: [NodeAnswer] = []
    /// Cells whose applied state, members or existence changed in what was released, in
    /// the order they first changed, each once.
    public var changedCells: [CellID] = []
    /// What happened, for observation.
    public var notes: [NodeNote] = []

    /// Makes empty effects.
    public init() {}

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        append == nil && frames.isEmpty && answers.isEmpty && changedCells.isEmpty && notes.isEmpty
    }
}

/// Records the core asks the shell to make durable, with the ticket that names them.
public struct LogAppend: Hashable, Sendable {
    /// Tickets count appends from 1; a later append has a larger ticket.
    public var ticket: UInt64
    /// The records, each with its cell, in order.
    public var records: [CellRecord]

    /// Makes an append.
    public init(ticket: UInt64, records: [CellRecord]) {
        self.ticket = ticket
        self.records = records
    }
}

/// One encoded peer frame and the node it goes to.
public struct OutgoingFrame: Hashable, Sendable {
    /// The destination node.
    public var to: NodeID
    /// The frame's bytes, header included.
    public var bytes: [UInt8]
    /// How many replica messages the frame carries (0 for a control frame), for metrics.
    public var messageCount: Int
    /// Whether nothing will send the frame again if it is lost (a cell's creation): a shell
    /// keeps such a frame until the peer's connection is up, while replica messages, which
    /// replicas resend, may be dropped when the peer is unreachable.
    public var isControl: Bool

    /// Makes an outgoing frame.
    public init(to: NodeID, bytes: [UInt8], messageCount: Int, isControl: Bool) {
        self.to = to
        self.bytes = bytes
        self.messageCount = messageCount
        self.isControl = isControl
    }
}

/// The core's answer to one request a shell waits on.
public struct NodeAnswer: Hashable, Sendable {
    /// The request answered.
    public var waiter: WaiterID
    /// The answer.
    public var outcome: NodeAnswerOutcome

    /// Makes an answer.
    public init(waiter: WaiterID, outcome: NodeAnswerOutcome) {
        self.waiter = waiter
        self.outcome = outcome
    }
}

/// What became of a request a shell handed to the core.
public enum NodeAnswerOutcome: Hashable, Sendable {
    /// A client request's reply from its cell.
    case reply(ClientReply)
    /// The control plane's membership change, as the cell decided it.
    case membershipChange(MembershipChangeOutcome)
    /// A batch of creations, each cell's outcome in the batch's order; every record they
    /// wrote here is durable.
    case cellsCreated([CellCreationOutcome])
    /// No answer: the request waited past its deadline, or the node is stopping. A write's
    /// outcome is unknown: retry it with the same id.
    case noAnswer(NoAnswerReason)
}

/// Why a request got no answer from its cell.
public enum NoAnswerReason: Hashable, Sendable {
    /// No answer before the request's deadline; a write may still take effect.
    case timedOut
    /// The node is shutting down; a write may still take effect.
    case stopping
}

/// Something that happened in the node core, for logs, metrics and the simulator's checks.
public enum NodeNote: Hashable, Sendable {
    /// A replica here reported this (became leader, applied, changed members, …).
    case cell(CellEvent)
    /// A peer's frame created this node's replica of a new cell.
    case hostingNewCell(CellID, from: NodeID)
    /// A peer asked this node to create a cell it holds the tombstone of; refused.
    case refusedDeletedCell(CellID, revision: Revision, from: NodeID)
    /// Messages of a peer's frame for cells this node does not host were refused: the node
    /// already keeps as many unconfirmed replicas as `ReplicaOptions` allows, in all or for
    /// that peer (see `ReplicaHost`). A peer that keeps causing this is hostile or broken.
    case unknownCellsRefused(from: NodeID, messages: Int)
    /// The resting followers here of cells led on a peer were filed to stand: the peer went
    /// silent or restarted.
    case leaderNodeLost(LeaderNodeLoss)
    /// A frame from a peer was not one this node accepts; the shell drops the connection.
    case malformedFrame(from: NodeID, PeerFrameError)
    /// A single message too large for any frame was dropped.
    case oversizeMessageDropped(CellID, to: NodeID, bytes: Int, frameBytesMax: Int)
    /// A peer sent the trace contexts of sampled requests; the core passes them on untouched,
    /// for the shell's tracing (see `TracedRequest`).
    case traceContexts([TracedRequest], from: NodeID)
}

/// What became of the control plane's request to replace one member of a cell.
public enum MembershipChangeOutcome: Hashable, Sendable {
    /// The cell applied the change now; its new configuration.
    case applied(CellConfiguration)
    /// The cell had applied it before; its current configuration.
    case alreadyApplied(CellConfiguration)
    /// The cell's replica here refused it (see `MembershipChangeRefusal`).
    case refused(MembershipChangeRefusal)
    /// This node hosts no replica of the cell.
    case notHosted
    /// The cell was deleted.
    case deleted(CellTombstone)
    /// The cell gave another answer than a configuration (for instance, it is reconfiguring
    /// or overloaded): retry with the same epoch.
    case unavailable(String)
}

/// What became of the control plane's request to move a cell's lead to one of its members.
public enum LeadershipTransferOutcome: Hashable, Sendable {
    /// The leader here asked the target to take over; the target runs phase 1 next.
    case asked
    /// The replica here refused (see `LeadershipTransferRefusal`).
    case refused(LeadershipTransferRefusal)
    /// This node hosts no replica of the cell.
    case notHosted
    /// The cell was deleted.
    case deleted(CellTombstone)
    /// The node stopped (its log failed, or it shuts down): it asks nothing of anyone.
    case stopping
}

/// What became of an operator's request to force a damaged replica to vote again.
public enum ForcedHealOutcome: Hashable, Sendable {
    /// The replica votes again (once its record is durable), from the state it applied
    /// through this slot.
    case forced(appliedThrough: Slot)
    /// The replica here refused (see `ForcedHealRefusal`).
    case refused(ForcedHealRefusal)
    /// This node hosts no replica of the cell.
    case notHosted
    /// The cell was deleted.
    case deleted(CellTombstone)
    /// The node stopped (its log failed, or it shuts down): it writes no record that would
    /// make the replica vote.
    case stopping
}

/// What became of a request to create a cell at this node.
public enum CellCreationOutcome: Hashable, Sendable {
    /// The cell was created (here, if this node is a member) and every other member told.
    /// Once answered (`NodeAnswerOutcome.cellsCreated`), this node's replica is durable.
    case created
    /// This node hosts the cell already, with this configuration (nil: not fetched yet).
    case exists(CellConfiguration?)
    /// A cell of that name was deleted here; its name is not reused.
    case deleted(CellTombstone)
}
