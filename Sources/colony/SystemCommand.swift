import Foundation

/// Runs a system tool (`ip`, `iptables`, `mount`) and waits for it, a bounded while: the
/// namespaced colony's network and the chaos runs' node volumes are made with these.
enum SystemCommand {
    /// The longest any one command may take before it is killed.
    static let timeout: Duration = .seconds(10)

    /// Runs `executable` with `arguments` and returns its output; throws, with its error
    /// output, if it fails or outlasts `timeout`.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        // These commands print at most a few kilobytes, well within a pipe's buffer, so they
        // end without being read first.
        if ended.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            ended.wait()
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        let command = ([executable] + arguments).joined(separator: " ")
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let reason = String(decoding: complaint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandFailure(.unavailable, "`\(command)` failed (status \(process.terminationStatus)): \(reason)")
        }
        return String(decoding: printed, as: UTF8.self)
    }
}
