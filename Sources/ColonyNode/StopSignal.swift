import Synchronization

/// Fired once when the node begins to stop, so that long-lived client streams (sessions)
/// stop reading and end by themselves, once their operations in flight are answered,
/// instead of holding the stopping node until its drain timeout.
final class StopSignal: Sendable {
    private struct State {
        var isFired = false
        var nextWaiter = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they were parked.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    /// Whether the signal fired.
    var isFired: Bool {
        state.withLock { $0.isFired }
    }

    /// Fires the signal: wakes every waiter, and later waits return at once.
    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isFired = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the signal fired, or once the calling task is cancelled.
    func wait() async {
        let waiter = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isFired || state.cancelled.remove(waiter) != nil { return true }
                    state.waiting[waiter] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.isFired { return nil }
                guard let parked = state.waiting.removeValue(forKey: waiter) else {
                    state.cancelled.insert(waiter)
                    return nil
                }
                return parked
            }
            parked?.resume()
        }
    }

    /// Runs `body` until it returns, or until the signal fires: `body` is then cancelled and
    /// this returns without its error. An error `body` throws before is rethrown.
    func interrupting(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask { await self.wait() }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
