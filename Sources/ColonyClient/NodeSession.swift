import ColonyAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// One session stream to one node: every operation this client sends that node travels on
/// it, tagged, and whatever is waiting when the stream is free to write leaves in one message.
/// Replies come back by tag, in any order.
///
/// Each operation waits at most its own timeout; when the stream breaks, every operation in
/// flight on it fails with the error that broke it (a write among them may have taken
/// effect: the caller retries it under the same request id), and the client's next
/// operation for that node opens a new session.
final class NodeSession: @unchecked Sendable {
    private struct Waiting {
        var continuation: CheckedContinuation<Colony_V1_SessionResult, any Error>
        var deadline: ContinuousClock.Instant
    }

    /// How often operations past their timeout are looked for while some are in flight.
    static let sweepInterval = Duration.milliseconds(5)

    private let lock = NSLock()
    // Guarded by `lock`.
    private var nextTag: UInt64 = 1
    private var waiting: [UInt64: Waiting] = [:]
    private var outgoing: [Colony_V1_SessionOperation] = []
    private var writer: CheckedContinuation<[Colony_V1_SessionOperation]?, Never>?
    private var brokenBy: (any Error)?
    private var isSweeping = false

    /// Opens the session on `client`'s connection; it runs until it breaks or is closed.
    init(client: Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>) {
        Task { await self.run(client) }
    }

    /// Whether the session broke; the connection then opens another.
    var isBroken: Bool {
        lock.withLock { brokenBy != nil }
    }

    /// Sends `operation` and waits for its reply, at most `timeout`.
    func perform(_ operation: Colony_V1_SessionOperation, timeout: Duration) async throws -> Colony_V1_SessionResult {
        try await withCheckedThrowingContinuation { continuation in
            let refusal: (any Error)? = lock.withLock {
                if let brokenBy { return brokenBy }
                var tagged = operation
                tagged.tag = nextTag
                nextTag += 1
                waiting[tagged.tag] = Waiting(continuation: continuation, deadline: .now + timeout)
                outgoing.append(tagged)
                return nil
            }
            if let refusal {
                continuation.resume(throwing: refusal)
                return
            }
            wakeWriter()
            startSweepingIfIdle()
        }
    }

    /// Ends the session: operations in flight fail, and it sends nothing more.
    func close() {
        breakSession(SessionError.closed)
    }

    // MARK: - The stream

    private func run(_ client: Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>) async {
        do {
            try await client.session(options: ColonyClient.callOptions) { writer in
                while let operations = await self.nextOutgoing() {
                    var request = Colony_V1_SessionRequest()
                    request.operations = operations
                    try await writer.write(request)
                }
            } onResponse: { response in
                for try await reply in response.messages {
                    self.deliver(reply.results)
                }
            }
            breakSession(SessionError.ended)
        } catch {
            breakSession(error)
        }
    }

    /// Everything waiting to be sent, as soon as there is something; nil once broken.
    private func nextOutgoing() async -> [Colony_V1_SessionOperation]? {
        await withCheckedContinuation { continuation in
            let ready: [Colony_V1_SessionOperation]?? = lock.withLock {
                if brokenBy != nil { return .some(nil) }
                if !outgoing.isEmpty {
                    defer { outgoing = [] }
                    return .some(outgoing)
                }
                writer = continuation
                return .none
            }
            if case .some(let operations) = ready { continuation.resume(returning: operations) }
        }
    }

    private func wakeWriter() {
        let woken: (CheckedContinuation<[Colony_V1_SessionOperation]?, Never>, [Colony_V1_SessionOperation])? = lock.withLock {
            guard let writer, !outgoing.isEmpty else { return nil }
            self.writer = nil
            defer { outgoing = [] }
            return (writer, outgoing)
        }
        if let (writer, operations) = woken { writer.resume(returning: operations) }
    }

    private func deliver(_ results: [Colony_V1_SessionResult]) {
        let answered = lock.withLock {
            results.compactMap { result in waiting.removeValue(forKey: result.tag).map { ($0.continuation, result) } }
        }
        for (continuation, result) in answered {
            continuation.resume(returning: result)
        }
    }

    /// Fails every operation in flight with `reason`, and every later one.
    private func breakSession(_ reason: any Error) {
        let (failed, writer) = lock.withLock { () -> ([Waiting], CheckedContinuation<[Colony_V1_SessionOperation]?, Never>?) in
            if brokenBy == nil { brokenBy = reason }
            defer {
                waiting = [:]
                outgoing = []
                self.writer = nil
            }
            return (Array(waiting.values), self.writer)
        }
        writer?.resume(returning: nil)
        for operation in failed {
            operation.continuation.resume(throwing: reason)
        }
    }

    // MARK: - Timeouts

    private func startSweepingIfIdle() {
        let start = lock.withLock {
            guard !isSweeping else { return false }
            isSweeping = true
            return true
        }
        guard start else { return }
        Task { await self.sweep() }
    }

    /// Fails the operations past their timeout, every `sweepInterval` while any is in flight.
    private func sweep() async {
        while true {
            try? await Task.sleep(for: Self.sweepInterval)
            let now = ContinuousClock.now
            let (expired, keepGoing) = lock.withLock { () -> ([CheckedContinuation<Colony_V1_SessionResult, any Error>], Bool) in
                let tags = waiting.filter { $0.value.deadline <= now }.map(\.key)
                let expired = tags.compactMap { waiting.removeValue(forKey: $0)?.continuation }
                if waiting.isEmpty { isSweeping = false }
                return (expired, !waiting.isEmpty)
            }
            for continuation in expired {
                continuation.resume(throwing: SessionError.timedOut)
            }
            if !keepGoing { return }
        }
    }
}

/// Why an operation on a session got no reply, besides the error that broke the stream.
enum SessionError: Error, CustomStringConvertible {
    /// The node ended the session; the operation may or may not have reached its cell.
    case ended
    /// The client closed the session.
    case closed
    /// No reply within the operation's timeout; it may still take effect.
    case timedOut

    var description: String {
        switch self {
        case .ended: return "the node ended the session"
        case .closed: return "the client was closed"
        case .timedOut: return "no reply in time"
        }
    }
}
