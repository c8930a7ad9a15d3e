import Foundation

/// A line on standard error that says how far a long command has come, rewritten every
/// second, when standard error is a terminal; nothing otherwise, so pipes and logs stay clean.
final class Progress: Sendable {
    /// How often the line is rewritten.
    static let interval: Duration = .seconds(1)

    private let task: Task<Void, Never>?

    private init(task: Task<Void, Never>?) {
        self.task = task
    }

    /// Starts writing `label: line()` every interval, if standard error is a terminal.
    static func start(_ label: String, line: @escaping @Sendable () async -> String) -> Progress {
        guard isatty(STDERR_FILENO) == 1 else { return Progress(task: nil) }
        return Progress(task: Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                write("\r\u{1B}[K\(label): \(await line())")
            }
        })
    }

    /// Stops the line and clears it.
    func stop() async {
        guard let task else { return }
        task.cancel()
        await task.value
        Self.write("\r\u{1B}[K")
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
