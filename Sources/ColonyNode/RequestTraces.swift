import ColonyCore
import ColonyNodeCore
import ColonyWire
import Tracing

/// The spans of traced client requests on this node, kept by the driver beside the core
/// (the core knows nothing of tracing): it reads the driver's own traffic with the core and
/// the log writer, and turns it into spans in each request's trace.
///
/// On the node leading the request's cell, under the request's server span:
/// - `colony.propose`: from the append that holds the request's command at a slot (the
///   leader's accept of its own proposal) until the cell answered the request, which it does
///   once the slot is chosen, applied and durable here;
/// - `colony.wal.flush`, under it: from that append's hand-over to the write-ahead log's
///   thread until the flush that made it durable.
///
/// When the leader appends a traced command, it sends the cell's other members a
/// `traceContexts` frame naming the request and the proposal's context, ahead of the frame
/// that carries the accept. On such a member, under the leader's proposal:
/// - `colony.accept`: from the append of the accepted command until it is durable, when the
///   member's answer to the leader may leave;
/// - `colony.wal.flush`, under it, as on the leader.
///
/// Only requests that arrived with a sampled trace context are kept, at most `requestsMax`
/// of each kind at once (beyond that a request goes untraced), so a node that is not traced
/// does none of this work and a peer cannot make it keep more.
struct RequestTraces {
    /// The most traced requests kept at once, of each kind (led here, announced by a
    /// leader, being accepted here).
    static let requestsMax = 4_096

    private struct Led {
        var request: RequestID
        var cell: CellID
        var context: InstrumentationContext
        var proposal: (any Span)?
        var flush: (span: any Span, ticket: UInt64)?
    }

    private struct Accepting {
        var accept: any Span
        var flush: any Span
        var ticket: UInt64
    }

    let tracer: any Tracer
    /// This node, named on every span.
    let node: NodeID
    private var led: [WaiterID: Led] = [:]
    private var waiters: [RequestID: WaiterID] = [:]
    /// Contexts leaders announced, newest generation first: when the newest is full the
    /// older is dropped, so announcements this node never accepts (it had the slot already,
    /// or it hosts no replica) cannot pile up.
    private var announced: [[RequestID: TracedRequest]] = [[:], [:]]
    private var accepting: [RequestID: Accepting] = [:]

    /// A book that makes the spans of `node` with `tracer`.
    init(tracer: any Tracer, node: NodeID) {
        self.tracer = tracer
        self.node = node
    }

    /// Whether nothing is traced or announced: the driver then skips the rest.
    var isEmpty: Bool { led.isEmpty && accepting.isEmpty && announced[0].isEmpty && announced[1].isEmpty }

    /// `request`, answered through `waiter`, is traced under `context` (its server span).
    mutating func begin(_ request: RequestID, cell: CellID, waiter: WaiterID, context: InstrumentationContext) {
        guard led.count < Self.requestsMax, waiters[request] == nil else { return }
        led[waiter] = Led(request: request, cell: cell, context: context)
        waiters[request] = waiter
    }

    /// A leader announced these requests' contexts: their accepts here join their traces.
    mutating func announce(_ requests: [TracedRequest]) {
        for request in requests {
            if announced[0].count >= Self.requestsMax {
                announced = [[:], announced[0]]
            }
            announced[0][request.request] = request
        }
    }

    /// The driver hands `append` to the log writer: a command led here starts its proposal
    /// and flush, and is returned to be announced to its cell's other members; a command a
    /// leader announced starts its accept and flush.
    mutating func appended(_ append: LogAppend) -> [TracedRequest] {
        var announcements: [TracedRequest] = []
        for record in append.records {
            guard case .accepted(let slot, let entry) = record.record else { continue }
            for case .client(let command) in entry.batch {
                if let waiter = waiters[command.id], led[waiter]?.proposal == nil {
                    announcements += propose(waiter, slot: slot, ticket: append.ticket).map { [$0] } ?? []
                } else if let request = takeAnnouncement(command.id, cell: record.cell) {
                    accept(request, slot: slot, ticket: append.ticket)
                }
            }
        }
        return announcements
    }

    /// The log made every append through `ticket` durable: their flushes and accepts end.
    mutating func durable(through ticket: UInt64) {
        for (waiter, traced) in led {
            guard let flush = traced.flush, flush.ticket <= ticket else { continue }
            flush.span.end()
            led[waiter]?.flush = nil
        }
        for (request, traced) in accepting where traced.ticket <= ticket {
            traced.flush.end()
            traced.accept.end()
            accepting[request] = nil
        }
    }

    /// The request waiting on `waiter` was answered: its spans end.
    mutating func answered(_ waiter: WaiterID) {
        guard let traced = led.removeValue(forKey: waiter) else { return }
        waiters[traced.request] = nil
        traced.flush?.span.end()
        traced.proposal?.end()
    }

    /// Starts the proposal and flush of the request waiting on `waiter`; returns what to
    /// announce to the cell's other members.
    private mutating func propose(_ waiter: WaiterID, slot: Slot, ticket: UInt64) -> TracedRequest? {
        guard var traced = led[waiter] else { return nil }
        let proposal = tracer.startSpan("colony.propose", context: traced.context, ofKind: .internal)
        proposal.attributes["colony.node"] = "\(node)"
        proposal.attributes["colony.cell"] = traced.cell.name
        proposal.attributes["colony.slot"] = Int(truncatingIfNeeded: slot)
        traced.proposal = proposal
        traced.flush = (flush(under: proposal, ticket: ticket), ticket)
        led[waiter] = traced
        var traceParent = ""
        tracer.inject(proposal.context, into: &traceParent, using: TraceParentCarrier())
        return TracedRequest(cell: traced.cell, request: traced.request, traceParent: traceParent)
    }

    /// Starts the accept and flush of an announced request.
    private mutating func accept(_ request: TracedRequest, slot: Slot, ticket: UInt64) {
        guard accepting.count < Self.requestsMax else { return }
        var parent = InstrumentationContext.topLevel
        tracer.extract(request.traceParent, into: &parent, using: TraceParentCarrier())
        let accept = tracer.startSpan("colony.accept", context: parent, ofKind: .internal)
        accept.attributes["colony.node"] = "\(node)"
        accept.attributes["colony.cell"] = request.cell.name
        accept.attributes["colony.slot"] = Int(truncatingIfNeeded: slot)
        accepting[request.request] = Accepting(accept: accept, flush: flush(under: accept, ticket: ticket), ticket: ticket)
    }

    private func flush(under parent: any Span, ticket: UInt64) -> any Span {
        let flush = tracer.startSpan("colony.wal.flush", context: parent.context, ofKind: .internal)
        flush.attributes["colony.node"] = "\(node)"
        flush.attributes["colony.wal.ticket"] = Int(truncatingIfNeeded: ticket)
        return flush
    }

    /// The announcement of `request` in `cell`, taken out; nil if none was made.
    private mutating func takeAnnouncement(_ request: RequestID, cell: CellID) -> TracedRequest? {
        for generation in announced.indices {
            if let found = announced[generation][request], found.cell == cell {
                announced[generation][request] = nil
                return found
            }
        }
        return nil
    }
}

/// A `traceparent` as a bare string, for announcing and reading a proposal's context.
private struct TraceParentCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout String) {
        if key == "traceparent" { carrier = value }
    }

    func extract(key: String, from carrier: String) -> String? {
        key == "traceparent" ? carrier : nil
    }
}
