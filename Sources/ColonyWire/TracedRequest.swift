import ColonyCore

/// A sampled client request's trace context, which the node leading its cell sends the
/// cell's other members (a `traceContexts` frame) just before the frame whose accept carries
/// the request: their accepts and log flushes then join the request's trace. Requests that
/// are not sampled send nothing, so untraced traffic pays nothing.
///
/// Only the node shells read it; the replicas never see it.
public struct TracedRequest: Hashable, Sendable {
    /// The request's cell.
    public var cell: CellID
    /// The request, as its command names it in the log.
    public var request: RequestID
    /// The context to continue: a well-formed version-00 `traceparent` (see `TraceParent`).
    public var traceParent: String

    /// Pairs a request with its context; nil unless `traceParent` is well formed.
    public init?(cell: CellID, request: RequestID, traceParent: String) {
        guard TraceParent.isWellFormed(traceParent) else { return nil }
        self.cell = cell
        self.request = request
        self.traceParent = traceParent
    }
}

extension TracedRequest: WireCodable {
    /// Appends the cell, the request and the traceparent as a string.
    public func encode(into writer: inout ByteWriter) {
        writer.write(cell)
        writer.write(request)
        writer.writeString(traceParent)
    }

    /// Reads the cell, the request and the traceparent, refusing any traceparent that is not
    /// exactly a well-formed one (a longer string is refused by the string limit first).
    public init(from reader: inout ByteReader) throws(WireError) {
        let cell = try CellID(from: &reader)
        let request = try RequestID(from: &reader)
        let start = reader.offset
        let text = try reader.readString("TracedRequest.traceParent")
        guard let traced = TracedRequest(cell: cell, request: request, traceParent: text) else {
            throw .valueOutOfRange(
                field: "TracedRequest.traceParent", offset: start,
                reason: "not a version-00 traceparent of \(TraceParent.length) characters (\(text.utf8.count) bytes given)")
        }
        self = traced
    }
}
