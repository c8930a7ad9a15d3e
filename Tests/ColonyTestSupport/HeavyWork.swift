import Foundation

/// How many pieces of CPU-heavy work (a simulation campaign, a placement search) run at once:
/// one while any colony suite runs or waits for its turn, so the colonies keep a core of a
/// 2-core machine for their clients and node processes; two once no colony is left, so the
/// long simulator campaigns at the end of a run use both cores.
enum HeavyWork {
    private static let condition = NSCondition()
    // Guarded by `condition`.
    nonisolated(unsafe) private static var running = 0
    nonisolated(unsafe) private static var colonySuites = 0

    /// Blocks the calling thread until a piece of heavy work may start, then counts it.
    static func begin() {
        condition.lock()
        while running >= (colonySuites > 0 ? 1 : 2) { condition.wait() }
        running += 1
        condition.unlock()
    }

    /// Counts a piece of heavy work finished.
    static func end() {
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// A colony suite is waiting for its turn or running.
    static func colonySuiteBegins() {
        condition.lock()
        colonySuites += 1
        condition.unlock()
    }

    /// A colony suite has finished.
    static func colonySuiteEnds() {
        condition.lock()
        colonySuites -= 1
        condition.broadcast()
        condition.unlock()
    }
}
