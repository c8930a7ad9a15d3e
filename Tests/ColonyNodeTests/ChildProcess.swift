import ColonyTestSupport
import Foundation

/// A `colony` command run by a test as a child process, until it exits or its time is up.
enum ChildProcess {
    /// How a run ended.
    struct Ended: Sendable {
        /// The exit status; nil when it was still running at the deadline and was killed.
        var status: Int32?
        /// Everything it wrote to standard output and standard error.
        var output: String
    }

    /// Runs `executable` (the `colony` executable built beside the tests unless told) with
    /// `arguments`, killing it with SIGKILL if it has not exited within `limit`.
    static func run(
        _ arguments: [String], executable: URL = ProcessColonyTests.executable, within limit: Duration
    ) async throws -> Ended {
        try await OwnThread.run {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let killed = Killed()
            let watchdog = DispatchWorkItem {
                killed.mark()
                kill(process.processIdentifier, SIGKILL)
            }
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            return Ended(status: killed.isMarked ? nil : process.terminationStatus, output: text)
        }
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
