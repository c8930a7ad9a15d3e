import ColonyCore

/// Holds a node's outputs until the log records they rest on are durable, and releases them
/// in the order they were made: the ordering contract of `ReplicaOutput`, kept once for
/// every shell.
///
/// Records gather into the next append; tickets count appends from 1. An output waits for
/// the ticket of the append that carries its records, or, if it has none, for the newest
/// ticket handed out, so no output overtakes an earlier one. The one exception is the
/// contract's own: a leader's `accept`s (`PeerMessageBody.mayLeaveBeforeDurable`) are taken
/// out of an output that must wait and leave at once, so the leader's fsync and its
/// followers' run in parallel instead of one after the other. They rest on no record, so
/// they move neither `releasedTicket` nor the order of what waits.
///
/// Legal moves: `admit` (any time), `takeAppend` (hands out the next ticket), and
/// `durable(through:)` with a ticket already handed out and not below the last one reported.
struct DurabilityGate {
    /// The last ticket handed out with an append.
    private(set) var appendedTicket: UInt64 = 0
    /// The last ticket the shell reported durable.
    private(set) var durableTicket: UInt64 = 0
    /// The newest ticket any released output rested on: a node that crashes must recover at
    /// least the records through it.
    private(set) var releasedTicket: UInt64 = 0
    /// Records for the next append.
    private var pendingRecords: [CellRecord] = []
    /// Outputs waiting, oldest first, with the ticket each waits for; `heldStart` skips those
    /// already released.
    private var held: [(ticket: UInt64, output: HostOutput)] = []
    private var heldStart = 0
    /// The `sendsBeforeDurable` defect: release at once, durable or not.
    let releasesBeforeDurable: Bool

    init(releasesBeforeDurable: Bool) {
        self.releasesBeforeDurable = releasesBeforeDurable
    }

    /// The ticket of the append that will carry the records admitted so far and not yet
    /// taken, or the newest handed out when none wait: what a record admitted now rests on.
    var ticketOfNextRecords: UInt64 { pendingRecords.isEmpty ? appendedTicket : appendedTicket + 1 }

    /// How many outputs wait for their records.
    var heldCount: Int { held.count - heldStart }

    /// Takes an output: its records join the next append. Returns the whole output as
    /// `released` when it may be released now (it rests on nothing that is not durable, and
    /// nothing older waits); otherwise holds it, but for its `accept`s, returned in `early`
    /// to be sent now.
    mutating func admit(_ output: HostOutput) -> (early: [PeerBatch], released: HostOutput?) {
        pendingRecords.append(contentsOf: output.persist)
        let ticket = pendingRecords.isEmpty ? appendedTicket : appendedTicket + 1
        var waiting = output
        waiting.persist = []
        if releasesBeforeDurable || (ticket <= durableTicket && heldCount == 0) {
            releasedTicket = max(releasedTicket, ticket)
            return ([], waiting)
        }
        precondition(held.last.map { $0.ticket <= ticket } ?? true, "Invalid state: held outputs must wait in ticket order")
        let early = Self.takeEarly(from: &waiting.batches)
        held.append((ticket, waiting))
        return (early, nil)
    }

    /// Moves the messages that may leave before durable out of `batches`, keeping each
    /// destination's order, and drops the batches left empty.
    private static func takeEarly(from batches: inout [PeerBatch]) -> [PeerBatch] {
        guard batches.contains(where: { $0.messages.contains(where: \.body.mayLeaveBeforeDurable) }) else { return [] }
        var early: [PeerBatch] = []
        for index in batches.indices {
            let (leaving, staying) = batches[index].messages.partitionedInOrder(by: \.body.mayLeaveBeforeDurable)
            if !leaving.isEmpty {
                early.append(PeerBatch(to: batches[index].to, messages: leaving))
            }
            batches[index].messages = staying
        }
        batches.removeAll { $0.messages.isEmpty }
        return early
    }

    /// The records gathered since the last append, under the next ticket; nil when none.
    mutating func takeAppend() -> LogAppend? {
        guard !pendingRecords.isEmpty else { return nil }
        appendedTicket += 1
        defer { pendingRecords.removeAll(keepingCapacity: true) }
        return LogAppend(ticket: appendedTicket, records: pendingRecords)
    }

    /// The shell made every append through `ticket` durable: the outputs that waited for
    /// them, oldest first.
    mutating func durable(through ticket: UInt64) -> [HostOutput] {
        precondition(ticket <= appendedTicket, "Invalid state: ticket \(ticket) reported durable, but only \(appendedTicket) were handed out")
        precondition(ticket >= durableTicket, "Invalid state: the durable mark went back from \(durableTicket) to \(ticket)")
        durableTicket = ticket
        var released: [HostOutput] = []
        while heldStart < held.count, held[heldStart].ticket <= durableTicket {
            releasedTicket = max(releasedTicket, held[heldStart].ticket)
            released.append(held[heldStart].output)
            heldStart += 1
        }
        if heldStart == held.count {
            held.removeAll(keepingCapacity: true)
            heldStart = 0
        }
        precondition(releasesBeforeDurable || releasedTicket <= durableTicket, "Invalid state: released past the durable mark")
        return released
    }
}

extension Array {
    /// The elements for which `predicate` holds and those for which it does not, each in
    /// their original order.
    fileprivate func partitionedInOrder(by predicate: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if predicate(element) {
                matching.append(element)
            } else {
                rest.append(element)
            }
        }
        return (matching, rest)
    }
}
