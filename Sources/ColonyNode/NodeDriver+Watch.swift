import ColonyCore
import NIOCore

extension NodeDriver {
    /// Answers a watcher's pull: the cell's next changes after `pull.after`, now or as soon
    /// as the replica here applies them, or the reason the watch is over.
    func pull(_ pull: WatchPull) {
        loop.preconditionInEventLoop()
        let answer = WatchAnswer(
            cell: pull.cell, after: pull.after, limit: pull.limit, isResumed: pull.isResumed, host: host, isClosed: watches.isClosed)
        switch answer {
        case .changes(let changes): pull.promise.succeed(changes)
        case .wait: watches.park(pull)
        case .end(let end): pull.promise.fail(end)
        }
    }

    /// The watcher awaiting `future` went away: its parked pull, if any, is dropped.
    func cancelPull(answering future: EventLoopFuture<[CellChange]>, cell: CellID) {
        loop.preconditionInEventLoop()
        watches.unpark(answering: future, cell: cell)?.promise.fail(CancellationError())
    }

    /// Counts a new watch of `client` in; or says why not: the node is stopping, or serves its
    /// limit of watches in all or for that client.
    func openWatch(client: String) -> WatchEnd? {
        loop.preconditionInEventLoop()
        return watches.open(client: client)
    }

    /// Counts a watch of `client` out.
    func closeWatch(client: String) {
        loop.preconditionInEventLoop()
        watches.close(client: client)
    }

    /// Ends every watch (the node is stopping): parked pulls fail with `stopping`, and so does
    /// every later pull.
    func endWatches() {
        loop.preconditionInEventLoop()
        for pull in watches.closeAll() {
            pull.promise.fail(WatchEnd.stopping)
        }
    }

    /// Answers again the pulls parked on `cells`: changes were applied, a snapshot
    /// installed, the members changed or the cell was deleted.
    func wakeWatches(of cells: [CellID]) {
        for cell in cells where watches.hasParked(cell) {
            for parked in watches.unpark(cell) {
                pull(parked)
            }
        }
    }
}

extension NodeDriver {
    /// From any thread: the watcher's next changes of `cell` after `after` (at most `limit`),
    /// waiting until there are some; throws a `WatchEnd` when the watch is over, or
    /// `CancellationError` when the calling task is cancelled while it waits.
    func nextChanges(of cell: CellID, after: Revision, limit: Int, isResumed: Bool) async throws -> [CellChange] {
        let promise = loop.makePromise(of: [CellChange].self)
        let future = promise.futureResult
        // The pull is queued before the cancellation handler exists, so the loop always runs
        // a cancellation after the pull it cancels.
        loop.execute {
            self.pull(WatchPull(cell: cell, after: after, limit: limit, isResumed: isResumed, promise: promise))
        }
        return try await withTaskCancellationHandler {
            try await future.get()
        } onCancel: {
            loop.execute { self.cancelPull(answering: future, cell: cell) }
        }
    }
}
