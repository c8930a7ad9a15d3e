import Foundation
@testable import colony

/// The long-running processes a rehearsal starts on its hosts (nodes, the control loop), each
/// writing to a log file of its own, and stopped by their ids: SIGTERM, then SIGKILL for any
/// still alive after 10 s.
final class HostProcesses: @unchecked Sendable {
    private var started: [Int32] = []
    private let lock = NSLock()

    /// Starts `command` (a program's path and its arguments) in `directory` with `environment`
    /// added to PATH and HOME, its standard output and error appended to `log`.
    func start(_ command: [String], environment: [String: String] = [:], directory: String, log: String) throws {
        if !FileManager.default.fileExists(atPath: log) {
            FileManager.default.createFile(atPath: log, contents: nil)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        output.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let inherited = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME"].contains($0.key) }
        process.environment = inherited.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { started.append(process.processIdentifier) }
    }

    /// The ids of the processes started and not yet stopped, in the order they started.
    var pids: [Int32] {
        lock.withLock { started }
    }

    /// Stops every process started here; the ids of those that needed SIGKILL.
    @discardableResult
    func stopAll() -> [Int32] {
        let pids = lock.withLock {
            defer { started = [] }
            return started
        }
        return LocalNodes.stop(pids: pids)
    }
}
