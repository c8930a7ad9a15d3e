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
            let ended = try BoundedProcess.run(executable, arguments, within: limit)
            return Ended(status: ended.status, output: ended.output)
        }
    }
}
