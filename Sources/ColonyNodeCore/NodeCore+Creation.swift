import ColonyCore
import ColonyWire

/// Cell creation: a control plane's or client's batch of new cells, and a peer's creation
/// frame.
///
/// A creation is answered only once the records of this node's new replicas are durable: a
/// node that answered before could crash, forget the cell, and leave its creator believing
/// in a cell that a majority of its members never heard of. The frames that tell the other
/// members leave at once (control frames, kept until the peer's connection is up, and
/// written to each peer together). A member that never got its frame (its creator crashed
/// first) gets it again when the creation is asked again: asking again a cell that exists
/// here with the same first configuration, and has applied nothing since, tells the other
/// members once more. Once the cell has applied a slot, a majority of its members hosts it,
/// and its leader brings any other member in (see `ReplicaHost+Unconfirmed.swift`). The
/// new replicas rest until the cell's first election, which one member stands for at a
/// bounded rate (see `ReplicaHost+FirstElections.swift`); if that member never had its
/// frame, the others stand once `candidateWaitTicks` pass.
extension NodeCore {
    /// The most cells one `createCells` call takes: shells bound their batches to it.
    public static let createCellsMax = 1_000

    /// Creates a new cell with `configuration` as its first: this node's replica if it is a
    /// member, and a creation frame to every other member. Refused when this node hosts the
    /// cell already or holds the tombstone of a deleted cell of that name. The records are
    /// durable only later: a shell that answers someone uses `createCells`.
    public mutating func createCell(_ cell: CellID, configuration: CellConfiguration) -> CellCreationOutcome {
        if let tombstone = host.tombstone(cell) { return .deleted(tombstone) }
        if let existing = host.replica(cell) {
            if tellsMembersAgain, existing.configuration == configuration, existing.appliedThrough < configuration.startSlot {
                tellMembers(of: cell, configuration)
            }
            return .exists(existing.configuration)
        }
        tellMembers(of: cell, configuration)
        if configuration.contains(node) {
            carryOut(host.createCell(cell, configuration: configuration))
        }
        return .created
    }

    /// Creates each of `cells` as `createCell` does, their records in one append, and answers
    /// `waiter` (if any) with each cell's outcome, in order, once those records are durable.
    /// At most `createCellsMax` cells: a longer batch is a shell's bug.
    public mutating func createCells(_ cells: [(cell: CellID, configuration: CellConfiguration)], waiter: WaiterID?) {
        precondition(cells.count <= Self.createCellsMax, "Invalid argument: \(cells.count) cells in one creation, at most \(Self.createCellsMax)")
        if isStopped {
            if let waiter { answerStopped(waiter) }
            return
        }
        let outcomes = cells.map { createCell($0.cell, configuration: $0.configuration) }
        guard let waiter else { return }
        let answer = NodeAnswer(waiter: waiter, outcome: .cellsCreated(outcomes))
        let ticket = gate.ticketOfNextRecords
        if gate.releasesBeforeDurable || ticket <= gate.durableTicket {
            pending.answers.append(answer)
        } else {
            heldCreations.append(HeldCreation(ticket: ticket, answer: answer))
        }
    }

    /// A peer's creation frame: this node makes its replica when the configuration names it,
    /// unless the cell was deleted here.
    mutating func createReplica(_ cell: CellID, configuration: CellConfiguration, askedBy sender: NodeID) {
        guard configuration.contains(node) else { return }
        if let tombstone = host.tombstone(cell) {
            pending.notes.append(.refusedDeletedCell(cell, revision: tombstone.revision, from: sender))
            return
        }
        if host.replica(cell) == nil {
            pending.notes.append(.hostingNewCell(cell, from: sender))
        }
        carryOut(host.createCell(cell, configuration: configuration))
    }

    /// Answers the creations whose records are durable through `ticket`, oldest first.
    mutating func releaseCreations(durableThrough ticket: UInt64) {
        guard let first = heldCreations.first, first.ticket <= ticket else { return }
        let released = heldCreations.prefix { $0.ticket <= ticket }
        pending.answers.append(contentsOf: released.map(\.answer))
        heldCreations.removeFirst(released.count)
    }

    /// A creation frame to every member of `configuration` but this node.
    private mutating func tellMembers(of cell: CellID, _ configuration: CellConfiguration) {
        let frame = PeerFrame.createCell(cell, configuration).encoded(level: formatWritten)
        for member in configuration.members where member != node {
            pending.frames.append(OutgoingFrame(to: member, bytes: frame, messageCount: 0, isControl: true))
        }
    }
}

/// A creation's answer waiting for the append that carries its records.
struct HeldCreation: Sendable {
    /// The append ticket the answer waits for.
    var ticket: UInt64
    /// The answer, released once `ticket` is durable.
    var answer: NodeAnswer
}
