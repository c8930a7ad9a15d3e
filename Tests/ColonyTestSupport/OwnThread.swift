import Foundation

/// Work that blocks (a simulation, a child process read to its end) run on a thread of its
/// own, so it never holds the cooperative pool that other suites' clients and timers need.
///
/// On a 2-core machine the pool has two threads: two tests that block in it stop every other
/// test's awaits, and a multi-process test's clients miss their deadlines. CPU-heavy work
/// also takes turns (`heavy: true`), one piece at a time, so the rest of the suite and the
/// node processes it starts keep a core.
public enum OwnThread {
    private static let heavyTurn = DispatchSemaphore(value: 1)

    /// Runs `body` on a new thread and awaits its result; with `heavy`, it first waits its
    /// turn behind any other heavy work.
    public static func run<Value: Sendable>(
        heavy: Bool = false, _ body: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                if heavy { heavyTurn.wait() }
                let result = Result { try body() }
                if heavy { heavyTurn.signal() }
                continuation.resume(with: result)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
