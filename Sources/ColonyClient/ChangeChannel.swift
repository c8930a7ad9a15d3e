import Synchronization

/// A bounded hand-off of changes from a watch's connection to its reader: the connection
/// waits while `capacity` changes are waiting to be read, so a slow reader slows the stream
/// (and, past the node's own bounds, is told it fell behind) instead of growing memory.
final class ChangeChannel: Sendable {
    private struct State {
        var buffer: [ColonyChange] = []
        var bufferStart = 0
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<ColonyChange?, any Error>?
        var writer: CheckedContinuation<Bool, Never>?
        var readerIsGone = false

        var waitingCount: Int { buffer.count - bufferStart }

        mutating func takeFirst() -> ColonyChange {
            let first = buffer[bufferStart]
            bufferStart += 1
            if bufferStart == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                bufferStart = 0
            }
            return first
        }
    }

    /// The most changes waiting to be read.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity >= 1, "a channel holds at least one change")
        self.capacity = capacity
    }

    /// Hands a change to the reader, waiting while the channel is full; false once the
    /// reader went away (the change is then dropped and the writer should stop).
    func send(_ change: ColonyChange) async -> Bool {
        let handedOver: Bool? = state.withLock { state in
            if state.readerIsGone || state.end != nil { return false }
            if let reader = state.reader {
                state.reader = nil
                reader.resume(returning: change)
                return true
            }
            guard state.waitingCount < capacity else { return nil }
            state.buffer.append(change)
            return true
        }
        if let handedOver { return handedOver }
        let roomMade = await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.readerIsGone || state.waitingCount < capacity {
                    continuation.resume(returning: !state.readerIsGone)
                } else {
                    state.writer = continuation
                }
            }
        }
        return roomMade ? await send(change) : false
    }

    /// Ends the stream after the waiting changes: with `error`, or cleanly when nil.
    func finish(throwing error: (any Error)?) {
        state.withLock { state in
            guard state.end == nil else { return }
            state.end = error.map { .failure($0) } ?? .success(())
            if let reader = state.reader, state.waitingCount == 0 {
                state.reader = nil
                switch state.end {
                case .failure(let error)?: reader.resume(throwing: error)
                case .success?, nil: reader.resume(returning: nil)
                }
            }
        }
    }

    /// The next change; nil once the stream ended cleanly; throws the error it ended with.
    func next() async throws -> ColonyChange? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.withLock { state in
                    if state.readerIsGone {
                        continuation.resume(throwing: CancellationError())
                    } else if state.waitingCount > 0 {
                        continuation.resume(returning: state.takeFirst())
                        if let writer = state.writer {
                            state.writer = nil
                            writer.resume(returning: true)
                        }
                    } else if let end = state.end {
                        switch end {
                        case .failure(let error): continuation.resume(throwing: error)
                        case .success: continuation.resume(returning: nil)
                        }
                    } else {
                        state.reader = continuation
                    }
                }
            }
        } onCancel: {
            readerLeft()
        }
    }

    /// The reader went away: a waiting writer is released, later sends are refused.
    func readerLeft() {
        state.withLock { state in
            state.readerIsGone = true
            if let reader = state.reader {
                state.reader = nil
                reader.resume(throwing: CancellationError())
            }
            if let writer = state.writer {
                state.writer = nil
                writer.resume(returning: false)
            }
        }
    }
}
