import ColonyAPI
import ColonyAuth
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
        // The caller's certificate is the same for every operation of the stream.
        let caller = Authorizer.identity(of: context)
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
                    outbox.put(await self.answer(operation, caller: caller))
                }
            }
        }
    }

    /// The reply to one operation of a session, under its tag. Every failure, a refusal by
    /// authorization included, is an error in the operation's reply.
    private func answer(_ operation: Colony_V1_SessionOperation, caller: Identity) async -> Colony_V1_SessionResult {
        var result = Colony_V1_SessionResult()
        result.tag = operation.tag
        switch operation.operation {
        case .get(let request): result.get = await get(request, caller: caller)
        case .put(let request): result.put = await put(request, caller: caller)
        case .delete(let request): result.delete = await delete(request, caller: caller)
        case .compareAndSet(let request): result.compareAndSet = await compareAndSet(request, caller: caller)
        case .increment(let request): result.increment = await increment(request, caller: caller)
        case .list(let request): result.list = await list(request, caller: caller)
        case .transaction(let request): result.transaction = await transaction(request, caller: caller)
        case .deleteCell(let request): result.deleteCell = await deleteCell(request, caller: caller)
        case .restore(let request): result.restore = await restore(request, caller: caller)
        case nil:
            result.refused = APIMapping.invalid("session operation \(operation.tag) names no operation: set one of get, put, delete, compare_and_set, increment, list, transaction, delete_cell")
        }
        return result
    }
}
