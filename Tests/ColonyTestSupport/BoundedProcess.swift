import Foundation

/// A child process run to its end by a test, killed with SIGKILL if it has not exited in time.
/// It blocks the calling thread: call it from a thread of its own (`OwnThread.run`).
public enum BoundedProcess {
    /// Runs `executable` with `arguments` (in `folder`, if given) until it exits or `limit`
    /// passes; returns its exit status (nil when it was killed at the deadline) and
    /// everything it wrote to standard output and standard error.
    public static func run(
        _ executable: URL, _ arguments: [String], in folder: URL? = nil, within limit: Duration
    ) throws -> (status: Int32?, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let killed = Killed()
        let watchdog = DispatchWorkItem {
            killed.mark()
            kill(process.processIdentifier, SIGKILL)
        }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return (killed.isMarked ? nil : process.terminationStatus, output)
    }
}

/// Whether the watchdog killed the child.
private final class Killed: @unchecked Sendable {
    private let lock = NSLock()
    private var marked = false

    func mark() {
        lock.withLock { marked = true }
    }

    var isMarked: Bool {
        lock.withLock { marked }
    }
}
