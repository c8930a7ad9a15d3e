import ColonyNode
import Foundation

/// A flood of idle connections against one address, on a thread of its own: it opens them
/// all, then, every `interval`, reopens those the other end closed, as an attacker who
/// reconnects at once would.
final class ConnectionFlood: @unchecked Sendable {
    /// What the flood did and saw.
    struct Figures: Sendable {
        /// Connections made, reopened ones included.
        var opened = 0
        /// Attempts that did not connect at all.
        var failed = 0
        /// The most of the flood's connections open at once.
        var heldMax = 0
    }

    private let target: HostPort
    private let count: Int
    private let sources: [String?]
    private let interval: TimeInterval
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var isStopping = false
    private var isDone = false
    private var figures = Figures()
    private var opened: CheckedContinuation<Void, Never>?
    private var isOpened = false

    /// A flood of `count` connections to `target` from `sources` in turn, reconnecting every
    /// `interval` seconds.
    init(target: HostPort, count: Int, sources: [String?], interval: TimeInterval = 1) {
        self.target = target
        self.count = count
        self.sources = sources
        self.interval = interval
    }

    /// Starts the flood; returns once its first `count` attempts are made.
    func start() async {
        let thread = Thread { [self] in run() }
        thread.name = "colony-flood"
        thread.start()
        await withCheckedContinuation { continuation in
            let ready = condition.withLock {
                if !isOpened { opened = continuation }
                return isOpened
            }
            if ready { continuation.resume() }
        }
    }

    /// Stops the flood, closes its connections, and returns what it did and saw.
    func stop() -> Figures {
        condition.lock()
        defer { condition.unlock() }
        isStopping = true
        condition.broadcast()
        while !isDone { condition.wait() }
        return figures
    }

    private func run() {
        let connections = IdleConnections()
        connections.open(count, to: target, from: sources)
        let waiting = condition.withLock {
            isOpened = true
            defer { opened = nil }
            return opened
        }
        waiting?.resume()
        while !condition.withLock({ isStopping }) {
            sample(connections)
            connections.reopenClosed(to: target)
            condition.lock()
            if !isStopping { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
            condition.unlock()
        }
        sample(connections)
        connections.closeAll()
        condition.withLock {
            figures.opened = connections.openedCount
            figures.failed = connections.failedCount
            isDone = true
            condition.broadcast()
        }
    }

    private func sample(_ connections: IdleConnections) {
        let held = connections.census().open
        condition.withLock { figures.heldMax = max(figures.heldMax, held) }
    }
}
