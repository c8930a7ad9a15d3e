import ColonyCore
import ColonyNodeCore
import Tracing

/// The spans of the traced client requests waiting on this node, kept by the driver beside
/// the core (the core knows nothing of tracing): it reads the driver's own traffic with the
/// core and the log writer, and turns it into spans under each request's server span.
///
/// - `colony.propose`: from the append that holds the request's command at a slot (the
///   leader's accept of its own proposal) until the cell answered the request, which it does
///   once the slot is chosen, applied and durable here.
/// - `colony.wal.flush`: from that append's hand-over to the write-ahead log's thread until
///   the flush that made it durable.
///
/// Only requests that arrived with a sampled trace context are kept, at most
/// `requestsMax` at once (a request beyond that is answered untraced), so a node that is
/// not traced does none of this work.
struct RequestTraces {
    /// The most traced requests kept at once.
    static let requestsMax = 4_096

    private struct Open {
        var request: RequestID
        var cell: CellID
        var context: InstrumentationContext
        var proposal: (any Span)?
        var flush: (span: any Span, ticket: UInt64)?
    }

    let tracer: any Tracer
    /// This node, named on every span.
    let node: NodeID
    private var open: [WaiterID: Open] = [:]
    private var waiters: [RequestID: WaiterID] = [:]

    /// A book that makes the spans of `node` with `tracer`.
    init(tracer: any Tracer, node: NodeID) {
        self.tracer = tracer
        self.node = node
    }

    /// Whether no traced request waits: the driver then skips the rest.
    var isEmpty: Bool { open.isEmpty }

    /// `request`, answered through `waiter`, is traced under `context` (its server span).
    mutating func begin(_ request: RequestID, cell: CellID, waiter: WaiterID, context: InstrumentationContext) {
        guard open.count < Self.requestsMax, waiters[request] == nil else { return }
        open[waiter] = Open(request: request, cell: cell, context: context)
        waiters[request] = waiter
    }

    /// The driver handed `append` to the log writer: a traced request whose command is in
    /// it for the first time starts its proposal and its flush.
    mutating func appended(_ append: LogAppend) {
        for record in append.records {
            guard case .accepted(let slot, let entry) = record.record else { continue }
            for case .client(let command) in entry.batch {
                guard let waiter = waiters[command.id], var traced = open[waiter], traced.proposal == nil else { continue }
                let proposal = tracer.startSpan("colony.propose", context: traced.context, ofKind: .internal)
                proposal.attributes["colony.node"] = "\(node)"
                proposal.attributes["colony.cell"] = traced.cell.name
                proposal.attributes["colony.slot"] = Int(truncatingIfNeeded: slot)
                let flush = tracer.startSpan("colony.wal.flush", context: proposal.context, ofKind: .internal)
                flush.attributes["colony.node"] = "\(node)"
                flush.attributes["colony.wal.ticket"] = Int(truncatingIfNeeded: append.ticket)
                traced.proposal = proposal
                traced.flush = (flush, append.ticket)
                open[waiter] = traced
            }
        }
    }

    /// The log made every append through `ticket` durable: their flushes end.
    mutating func durable(through ticket: UInt64) {
        for (waiter, traced) in open {
            guard let flush = traced.flush, flush.ticket <= ticket else { continue }
            flush.span.end()
            open[waiter]?.flush = nil
        }
    }

    /// The request waiting on `waiter` was answered: its spans end.
    mutating func answered(_ waiter: WaiterID) {
        guard let traced = open.removeValue(forKey: waiter) else { return }
        waiters[traced.request] = nil
        traced.flush?.span.end()
        traced.proposal?.end()
    }
}
