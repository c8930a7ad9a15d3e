import Foundation
import Synchronization

/// A status line on standard error that a long command rewrites as it goes ("sim: 12 of 50
/// seeds"), only when standard error is a terminal, so pipes and logs stay clean. Writes come
/// at most every `writeInterval`; `finish` clears the line before the command prints its result.
final class Progress: Sendable {
    /// The shortest time between two writes of the line.
    static let writeInterval: Duration = .milliseconds(200)

    /// Whether the line is shown at all: standard error is a terminal.
    let isShown: Bool
    private let label: String
    private let lastWrite = Mutex<ContinuousClock.Instant?>(nil)

    /// A status line that starts with `label`.
    init(_ label: String) {
        self.label = label
        isShown = isatty(STDERR_FILENO) == 1
    }

    /// Shows `text` after the label, unless the line was written within the write interval
    /// and the text is not a new `stage` of the command, which is always shown.
    func update(_ text: String, stage: Bool = false) {
        guard isShown else { return }
        let now = ContinuousClock.now
        let due = lastWrite.withLock { last in
            guard stage || last.map({ now - $0 >= Self.writeInterval }) ?? true else { return false }
            last = now
            return true
        }
        if due { Self.write("\r\u{1B}[K\(label): \(text)") }
    }

    /// Clears the line, if it was ever written.
    func finish() {
        guard isShown, lastWrite.withLock({ $0 }) != nil else { return }
        Self.write("\r\u{1B}[K")
    }

    /// Updates the line every second with `line()` until the returned task is cancelled; no
    /// task when the line is not shown.
    func follow(every interval: Duration = .seconds(1), _ line: @escaping @Sendable () async -> String) -> Task<Void, Never>? {
        guard isShown else { return nil }
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { update(await line()) }
            }
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
