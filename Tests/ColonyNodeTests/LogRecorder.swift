import Foundation
import Logging

/// Keeps every message the nodes log through `logger`, so a test can wait until a reason is
/// logged (bounded in time) instead of sleeping.
final class LogRecorder: @unchecked Sendable {
    private struct Waiter {
        let text: String
        let continuation: CheckedContinuation<String?, Never>
    }

    private let lock = NSLock()
    private var messages: [String] = []
    private var waiters: [UUID: Waiter] = [:]

    /// A logger whose every message at `level` or above lands here.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test") { _ in RecordingLogHandler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    /// Every message kept so far, in order.
    var recorded: [String] {
        lock.withLock { messages }
    }

    fileprivate func append(_ message: String) {
        let woken: [Waiter] = lock.withLock {
            messages.append(message)
            let matching = waiters.filter { message.contains($0.value.text) }
            for id in matching.keys { waiters[id] = nil }
            return Array(matching.values)
        }
        for waiter in woken { waiter.continuation.resume(returning: message) }
    }

    /// The first message containing `text`, waiting at most `timeout` for it; nil if none came.
    func message(containing text: String, within timeout: Duration = .seconds(20)) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await self.next(containing: text) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func next(containing text: String) async -> String? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let found: String?? = lock.withLock {
                    if let message = messages.first(where: { $0.contains(text) }) { return .some(message) }
                    if Task.isCancelled { return .some(nil) }
                    waiters[id] = Waiter(text: text, continuation: continuation)
                    return .none
                }
                if case .some(let message) = found { continuation.resume(returning: message) }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
    }
}

/// Hands each message, with its metadata, to a `LogRecorder`.
private struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let suffix = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recorder.append("\(event.level) \(event.message)\(suffix)")
    }
}
