import ColonyAPI
import ColonyAuth
import struct ColonyClient.RequestHeaderExtractor
import enum ColonyWire.TraceParent
import ColonyCore
import ColonyNodeCore
import Foundation
import GRPCCore
import Logging
import NIOCore
import Tracing

/// The client API of one node: each call becomes a request to the cell's replica here, and
/// the cell's answer becomes the reply (an error when it failed, saying what to do).
struct ClientService: Colony_V1_Colony.SimpleServiceProtocol {
    let driver: NodeDriver
    let config: NodeConfig
    /// Where the colony's nodes are.
    let peers: PeerAddresses
    /// How long a request may wait for its cell before the reply says `UNAVAILABLE`.
    let requestTimeout: TimeAmount
    let metrics: NodeMetrics
    let logger: Logger
    /// The most changes a watch is handed at once.
    let watchBatchChangesMax: Int
    /// The most operations one session runs at a time.
    let sessionOperationsMax: Int
    /// Fired when the node begins to stop: sessions end.
    let sessionsEnd: StopSignal
    /// Decides who may do what.
    let authorizer: Authorizer
    /// Where the spans of requests that arrive with a trace context go; nil traces nothing.
    let tracer: (any Tracer)?

    func address(_ node: NodeID) -> String? {
        peers.address(of: node)?.clientAddress
    }

    /// Whether this node has read the colony's directory: it enforces a policy read from the
    /// directory's record, or its peer book holds the directory's node records.
    var hasReadDirectory: Bool {
        guard !authorizer.defects.contains(.directoryCalledNotFound) else { return false }
        return (authorizer.current.cached?.version ?? 0) > 0 || peers.hasRecords
    }

    /// Runs `operation` on the header's cell for `caller` and returns its result or the error
    /// to reply with; counts it in the node's metrics as a request of `kind`. A request the
    /// policy refuses goes no further: its error is `UNAUTHORIZED` (`UNAVAILABLE` before the
    /// node's first read of the policy: `Authorizer.error`). The cell keeps the
    /// caller's session under an id bound to the caller's identity (`SessionNamespace`).
    func execute(
        _ header: Colony_V1_RequestHeader, _ operation: CellOperation, _ kind: NodeMetrics.RequestKind, caller: Identity,
        consistency: Colony_V1_Consistency = .linearizable
    ) async -> Result<OperationResult, Colony_V1_Error> {
        let started = ContinuousClock.now
        let result: Result<OperationResult, Colony_V1_Error>
        let request = Self.requestName(header)
        let judged = AuthOperation(operation, cell: header.cell)
        if case .failure(let invalid) = APIMapping.cell(header.cell) {
            // A malformed name is refused as it was before, and never reaches a log line whole.
            result = .failure(invalid)
        } else if let refused = authorizer.refusal(caller, judged, rpc: kind.rpc, request: request, keys: operation.writtenKeys) {
            result = .failure(Authorizer.error(refused, rpc: kind.rpc, request: request))
        } else if let problem = ReservedCellWriteCheck.problem(operation, cell: header.cell, revoked: authorizer.revokedNodes, gone: peers.goneNodes) {
            authorizer.invalid(caller, judged, rpc: kind.rpc, request: request, keys: operation.writtenKeys, problem: problem)
            result = .failure(APIMapping.invalid(problem))
        } else {
            var bound = header
            if bound.clientID != 0 { bound.clientID = authorizer.session(header.clientID, of: caller) }
            result = await traced(header, kind) { trace in await answer(bound, operation, consistency: consistency, trace: trace) }
        }
        let elapsed = ContinuousClock.now - started
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        switch result {
        case .success: metrics.request(kind, nanoseconds: nanoseconds, error: nil)
        case .failure(let error): metrics.request(kind, nanoseconds: nanoseconds, error: "\(error.code)")
        }
        return result
    }

    /// How refusals and audit lines name the request: its trace id (at most 64 characters),
    /// or the session id and sequence the client sent.
    static func requestName(_ header: Colony_V1_RequestHeader) -> String {
        header.traceID.isEmpty ? "\(header.clientID)/\(header.sequence)" : String(header.traceID.prefix(64))
    }

    /// Runs `body` in a server span when the node has a tracer, handing it the span's context
    /// if the span is sampled; otherwise runs it with none. The span continues the trace the
    /// header carries, and follows its sampling decision; a request without one starts a
    /// trace, sampled at the node's ratio. A failed request's span has error status, named
    /// by its error's code.
    private func traced(
        _ header: Colony_V1_RequestHeader, _ kind: NodeMetrics.RequestKind,
        _ body: (InstrumentationContext?) async -> Result<OperationResult, Colony_V1_Error>
    ) async -> Result<OperationResult, Colony_V1_Error> {
        guard let tracer else { return await body(nil) }
        var parent = InstrumentationContext.topLevel
        tracer.extract(header, into: &parent, using: RequestHeaderExtractor())
        return await tracer.withSpan("colony.node.\(kind.rpc)", context: parent, ofKind: .server) { span in
            span.attributes["colony.node"] = "n\(config.node)"
            span.attributes["colony.cell"] = header.cell
            let result = await body(span.isRecording ? span.context : nil)
            if case .failure(let error) = result {
                span.attributes["colony.error"] = "\(error.code)"
                span.setStatus(SpanStatus(code: .error, message: "\(error.code)"))
            }
            return result
        }
    }

    private func answer(
        _ header: Colony_V1_RequestHeader, _ operation: CellOperation, consistency: Colony_V1_Consistency,
        trace: InstrumentationContext?
    ) async -> Result<OperationResult, Colony_V1_Error> {
        let request: ColonyCore.ClientRequest
        switch APIMapping.checkedRequest(header, operation, consistency: consistency) {
        case .success(let made): request = made
        case .failure(let error): return .failure(error)
        }
        let timeout = requestTimeout
        // The request id is the same on every node that applies the write: one grep finds its path.
        var metadata: Logger.Metadata = ["cell": "\(request.cell.name)", "request": "\(request.id)"]
        if let traceID = TraceParent.traceID(of: header.traceID) { metadata["trace_id"] = "\(traceID)" }
        logger.debug("request", metadata: metadata)
        let answer: NodeAnswerOutcome?
        switch try? await driver.askForClient(request, timeout: timeout, trace: trace) {
        case .success(let outcome)?:
            answer = outcome
        case .failure(let refusal)?:
            return .failure(APIMapping.invalid(
                "expected_epoch \(refusal.expected) is \(refusal.expected - refusal.current) epochs ahead of epoch \(refusal.current) of cell \(request.cell.name) on node \(config.node), and a cell changes epoch once per membership change (a replica catching up may lag at most \(refusal.leadMax)): send the epoch of a configuration the cell returned, or 0 for none"))
        case nil:
            answer = nil
        }
        switch answer {
        case .reply(let reply)?:
            return APIMapping.result(of: reply.outcome, cell: request.cell, address: address, directoryRead: hasReadDirectory)
        case .noAnswer(.stopping)?:
            var unavailable = APIMapping.error(
                .unavailable,
                "node \(config.node) is stopping before cell \(request.cell.name) answered; a write may still take effect, so retry it with the same id at another member")
            unavailable.retryAfterMs = 100
            return .failure(unavailable)
        case .membershipChange?, .cellsCreated?, .noAnswer(.timedOut)?, nil:
            logger.debug("no answer in time", metadata: ["cell": "\(request.cell.name)", "request": "\(request.id)"])
            var unavailable = APIMapping.error(
                .unavailable,
                "no answer from cell \(request.cell.name) within \(timeout.nanoseconds / 1_000_000) ms; a write may still take effect, so retry it with the same id")
            unavailable.retryAfterMs = 100
            return .failure(unavailable)
        }
    }

    func get(_ request: Colony_V1_GetRequest, caller: Identity) async -> Colony_V1_GetReply {
        var reply = Colony_V1_GetReply()
        switch await execute(request.header, .get(Key(request.key)), .get, caller: caller, consistency: request.consistency) {
        case .success(.value(let item)):
            reply.found = item != nil
            if let item { reply.item = Colony_V1_KeyValue(item) }
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func put(_ request: Colony_V1_PutRequest, caller: Identity) async -> Colony_V1_PutReply {
        var reply = Colony_V1_PutReply()
        switch await execute(request.header, .put(Key(request.key), Array(request.value)), .put, caller: caller) {
        case .success(.written(let version)): reply.version = version
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func delete(_ request: Colony_V1_DeleteRequest, caller: Identity) async -> Colony_V1_DeleteReply {
        var reply = Colony_V1_DeleteReply()
        switch await execute(request.header, .delete(Key(request.key)), .delete, caller: caller) {
        case .success(.deleted(let existed)): reply.existed = existed
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func compareAndSet(_ request: Colony_V1_CompareAndSetRequest, caller: Identity) async -> Colony_V1_CompareAndSetReply {
        var reply = Colony_V1_CompareAndSetReply()
        let operation: CellOperation
        switch APIMapping.compareAndSet(request) {
        case .success(let made): operation = made
        case .failure(let error):
            reply.error = error
            return reply
        }
        switch await execute(request.header, operation, .compareAndSet, caller: caller) {
        case .success(.written(let version)): reply.version = version
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func increment(_ request: Colony_V1_IncrementRequest, caller: Identity) async -> Colony_V1_IncrementReply {
        var reply = Colony_V1_IncrementReply()
        switch await execute(request.header, .increment(Key(request.key), by: request.delta), .increment, caller: caller) {
        case .success(.incremented(let value, let version)):
            reply.value = value
            reply.version = version
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func list(_ request: Colony_V1_ListRequest, caller: Identity) async -> Colony_V1_ListReply {
        var reply = Colony_V1_ListReply()
        switch await execute(request.header, APIMapping.list(request), .list, caller: caller, consistency: request.consistency) {
        case .success(.list(let items, let truncated, let revision)):
            reply.items = items.map(Colony_V1_KeyValue.init)
            reply.truncated = truncated
            reply.revision = revision
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error): reply.error = error
        }
        return reply
    }

    func transaction(_ request: Colony_V1_TransactionRequest, caller: Identity) async -> Colony_V1_TransactionReply {
        var reply = Colony_V1_TransactionReply()
        let transaction: Transaction
        switch APIMapping.transaction(request) {
        case .success(let made): transaction = made
        case .failure(let error):
            reply.error = error
            return reply
        }
        switch await execute(request.header, .transaction(transaction), .transaction, caller: caller) {
        case .success(.transaction(let succeeded, let results)):
            reply.succeeded = succeeded
            reply.results = results.map(Colony_V1_StepResult.init)
        case .success(let other): reply.error = APIMapping.unexpected(other)
        case .failure(let error):
            reply.error = error
        }
        return reply
    }
}
