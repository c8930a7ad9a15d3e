import ColonyNode
import Foundation

/// `colony bench flood` child processes sharing one flood of idle connections, so together
/// they hold more than one process's open file limit allows.
final class FloodProcesses: @unchecked Sendable {
    /// What the processes did, added up.
    struct Figures: Sendable {
        /// Connections made, reopened ones included.
        var opened = 0
        /// Attempts that did not connect at all.
        var failed = 0
        /// The most connections open at once, added up over the processes.
        var heldMax = 0
    }

    private let processes: [Process]
    private let lines: [LineReader]

    /// Starts enough `colony bench flood` processes of `executable` to hold `connections` to
    /// `target` with at most `perProcessMax` each, from `hosts` loopback addresses (127.0.0.2
    /// on) shared out among them.
    init(executable: String, target: String, connections: Int, hosts: Int, perProcessMax: Int) throws {
        let count = max(1, (connections + perProcessMax - 1) / perProcessMax)
        let hostsEach = max(1, hosts / count)
        var processes: [Process] = []
        var lines: [LineReader] = []
        for index in 0..<count {
            let share = connections / count + (index < connections % count ? 1 : 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "bench", "flood", "--target", target, "--connections", "\(share)", "--hosts", "\(hostsEach)",
                "--first-host", "\(2 + index * hostsEach)",
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            processes.append(process)
            lines.append(LineReader(output.fileHandleForReading))
        }
        self.processes = processes
        self.lines = lines
    }

    /// How many processes share the flood.
    var count: Int { processes.count }

    /// Waits until every process has made its first connections.
    func waitUntilReady() async throws {
        for reader in lines {
            guard let line = await reader.next(), line == "ready" else {
                throw FloodProcessError.ended("a flood process ended before it was ready")
            }
        }
    }

    /// Stops every process and adds up what they did.
    func stop() async -> Figures {
        for process in processes where process.isRunning { process.terminate() }
        var figures = Figures()
        for reader in lines {
            while let line = await reader.next() {
                let fields = line.split(separator: " ").compactMap { Int($0) }
                guard line.hasPrefix("done "), fields.count == 3 else { continue }
                figures.opened += fields[0]
                figures.failed += fields[1]
                figures.heldMax += fields[2]
            }
        }
        for process in processes { process.waitUntilExit() }
        return figures
    }
}

/// Why the flood processes could not be used.
enum FloodProcessError: Error, CustomStringConvertible {
    /// A process ended early.
    case ended(String)

    var description: String {
        switch self {
        case .ended(let reason): return reason
        }
    }
}

/// The lines a child process writes, read on a thread of their own.
final class LineReader: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var lines: [String] = []
    private var isEnded = false

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var buffer = ""
            while case let data = handle.availableData, !data.isEmpty {
                buffer += String(decoding: data, as: UTF8.self)
                while let newline = buffer.firstIndex(of: "\n") {
                    let line = String(buffer[..<newline])
                    buffer = String(buffer[buffer.index(after: newline)...])
                    condition.withLock {
                        lines.append(line)
                        condition.broadcast()
                    }
                }
            }
            condition.withLock {
                isEnded = true
                condition.broadcast()
            }
        }
        thread.start()
    }

    /// The next line, waiting for it; nil once the process closed its output.
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                condition.lock()
                while lines.isEmpty && !isEnded { condition.wait() }
                let line = lines.isEmpty ? nil : lines.removeFirst()
                condition.unlock()
                continuation.resume(returning: line)
            }
            thread.start()
        }
    }
}
