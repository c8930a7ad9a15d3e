import Foundation

/// Marks a node's stop: begun once, finished once, awaited by anyone. It keeps the failure
/// the node stops for, so its health says why while it stops.
final class StopLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var begun = false
    private var finished = false
    private var failure: String?
    private var waiting: [CheckedContinuation<String?, Never>] = []

    /// Why the node does not serve: nil while it serves; the failure it stops for, or that it
    /// stops on request.
    var problem: String? {
        lock.withLock {
            guard begun else { return nil }
            return failure.map { "the node is stopping after a failure: \($0)" } ?? "the node is stopping"
        }
    }

    /// Claims the stop, for `failure` if any; false if another caller already did.
    func begin(failure: String?) -> Bool {
        lock.withLock {
            if begun { return false }
            begun = true
            self.failure = failure
            return true
        }
    }

    /// Marks the stop done and wakes every waiter.
    func finish() {
        let (waiters, failure) = lock.withLock {
            finished = true
            defer { waiting = [] }
            return (waiting, self.failure)
        }
        for waiter in waiters { waiter.resume(returning: failure) }
    }

    /// Waits for the stop; returns its failure, if any.
    func wait() async -> String? {
        await withCheckedContinuation { continuation in
            let done: String?? = lock.withLock {
                if finished { return .some(failure) }
                waiting.append(continuation)
                return .none
            }
            if case .some(let failure) = done { continuation.resume(returning: failure) }
        }
    }
}
