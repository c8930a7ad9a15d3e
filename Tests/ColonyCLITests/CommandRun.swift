import ColonyTestSupport
import Foundation

/// One run of the `colony` executable built beside the tests, as a shell would run it.
struct CommandRun: Sendable {
    /// The exit status; nil when the run was still going at its deadline and was killed.
    var status: Int32?
    /// What it wrote to standard output.
    var output: String
    /// What it wrote to standard error.
    var errors: String

    /// The `colony` executable built beside the tests.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("colony")
    }

    /// Runs `colony arguments` with `environment` added to a clean one (PATH and HOME kept, no
    /// COLONY_* variable of the test's own), killing it with SIGKILL if it has not exited
    /// within `limit`.
    static func run(_ arguments: [String], environment: [String: String] = [:], within limit: Duration = .seconds(30)) async throws -> CommandRun {
        try await run(command: [executable.path] + arguments, environment: environment, within: limit)
    }

    /// Runs `command` (a program's path and its arguments) as `run` runs `colony`, in the
    /// folder `directory` if given.
    static func run(
        command: [String], environment: [String: String] = [:], directory: String? = nil, within limit: Duration = .seconds(30)
    ) async throws -> CommandRun {
        try await OwnThread.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let inherited = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "TMPDIR"].contains($0.key) }
            process.environment = inherited.merging(environment) { $1 }
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
            let errorText = ErrorReader(errors.fileHandleForReading)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
            return CommandRun(status: killed ? nil : process.terminationStatus, output: text, errors: errorText.text())
        }
    }

    /// The JSON object standard error holds, if it holds one.
    var errorObject: [String: Any]? {
        guard let data = errors.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["error"] as? [String: Any]
    }
}

/// Standard error read to its end on a thread of its own, so that neither pipe fills while
/// the other is read.
private final class ErrorReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    /// Everything read, once the other end closed.
    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
