import Foundation

/// Work that blocks (a simulation, a child process read to its end) run on a thread of its
/// own, so it never holds the cooperative pool that other suites' clients and timers need.
///
/// On a 2-core machine the pool has two threads: two tests that block in it stop every other
/// test's awaits, and a multi-process test's clients miss their deadlines. CPU-heavy work
/// also takes turns (`heavy: true`, see `HeavyWork`), so the colonies the run starts keep a
/// core.
public enum OwnThread {
    /// Runs `body` on a new thread and awaits its result; with `heavy`, it first waits its
    /// turn behind other heavy work.
    @discardableResult
    public static func run<Value: Sendable>(
        heavy: Bool = false, _ body: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                if heavy { HeavyWork.begin() }
                let result = Result { try body() }
                if heavy { HeavyWork.end() }
                continuation.resume(with: result)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
