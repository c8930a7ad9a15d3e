import ColonyAPI
import GRPCCore

extension ClientService {
    /// A client's session: operations arrive tagged, many per message; each runs as soon as
    /// it arrives, exactly as its single call would, and its reply goes back under its tag
    /// once its cell answers. Replies that finish together leave in one message. At most
    /// `sessionOperationsMax` operations of one session run at a time. When the node begins
    /// to stop (`sessionsEnd`), the session stops reading, answers what is in flight and ends,
    /// so the node need not wait for the client to hang up.
    func session(
        request: RPCAsyncSequence<Colony_V1_SessionRequest, any Error>, response: RPCWriter<Colony_V1_SessionReply>,
        context: ServerContext
    ) async throws {
        let outbox = SessionOutbox(inFlightMax: sessionOperationsMax)
        let (operations, incoming) = AsyncStream<Colony_V1_SessionOperation>.makeStream()
        let sessionsEnd = sessionsEnd
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                while let results = await outbox.next() {
                    var reply = Colony_V1_SessionReply()
                    reply.results = results
                    try await response.write(reply)
                }
            }
            group.addTask {
                defer { incoming.finish() }
                // The outbox bounds the operations in flight, so the stream holds few.
                try await sessionsEnd.interrupting {
                    for try await message in request {
                        for operation in message.operations {
                            guard await outbox.reserve() else { return }
                            incoming.yield(operation)
                        }
                    }
                }
            }
            defer { outbox.close() }
            for await operation in operations {
                group.addTask {
                    outbox.put(await self.answer(operation, context: context))
                }
            }
        }
    }

    /// The reply to one operation of a session, under its tag.
    private func answer(_ operation: Colony_V1_SessionOperation, context: ServerContext) async -> Colony_V1_SessionResult {
        var result = Colony_V1_SessionResult()
        result.tag = operation.tag
        // The single calls never throw: every failure is an error in their reply.
        do {
            switch operation.operation {
            case .get(let request): result.get = try await get(request: request, context: context)
            case .put(let request): result.put = try await put(request: request, context: context)
            case .delete(let request): result.delete = try await delete(request: request, context: context)
            case .compareAndSet(let request): result.compareAndSet = try await compareAndSet(request: request, context: context)
            case .increment(let request): result.increment = try await increment(request: request, context: context)
            case .list(let request): result.list = try await list(request: request, context: context)
            case .transaction(let request): result.transaction = try await transaction(request: request, context: context)
            case .deleteCell(let request): result.deleteCell = try await deleteCell(request: request, context: context)
            case nil:
                result.refused = APIMapping.invalid("session operation \(operation.tag) names no operation: set one of get, put, delete, compare_and_set, increment, list, transaction, delete_cell")
            }
        } catch {
            result.refused = APIMapping.error(.unavailable, "operation \(operation.tag) failed on this node: \(error); retry it")
        }
        return result
    }
}
