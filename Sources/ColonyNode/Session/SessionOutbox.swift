import ColonyAPI
import Foundation

/// The replies of one client session waiting to be written, and the count of operations in
/// flight on it.
///
/// Operations finish in any order; each puts its reply here, and the session's writer takes
/// everything waiting at once, so replies that finish together leave in one message. At most
/// `inFlightMax` operations run at a time: the reader waits for room before starting another,
/// which stops it reading the stream, and HTTP/2 flow control then slows the client.
final class SessionOutbox: @unchecked Sendable {
    private let inFlightMax: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var waiting: [Colony_V1_SessionResult] = []
    private var inFlight = 0
    private var isClosed = false
    private var writer: CheckedContinuation<[Colony_V1_SessionResult]?, Never>?
    private var reader: CheckedContinuation<Bool, Never>?

    init(inFlightMax: Int) {
        self.inFlightMax = inFlightMax
    }

    /// Waits until another operation may start and counts it as in flight; false if the
    /// outbox closed meanwhile, and the operation must not start.
    func reserve() async -> Bool {
        await withCheckedContinuation { continuation in
            let answer: Bool? = lock.withLock {
                if isClosed { return false }
                guard inFlight >= inFlightMax else {
                    inFlight += 1
                    return true
                }
                reader = continuation
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// An operation finished with `result`.
    func put(_ result: Colony_V1_SessionResult) {
        let (wokenWriter, wokenReader, batch) = lock.withLock { () -> (CheckedContinuation<[Colony_V1_SessionResult]?, Never>?, CheckedContinuation<Bool, Never>?, [Colony_V1_SessionResult]) in
            inFlight -= 1
            waiting.append(result)
            var wokenReader: CheckedContinuation<Bool, Never>?
            if let reader {
                self.reader = nil
                inFlight += 1
                wokenReader = reader
            }
            guard let writer else { return (nil, wokenReader, []) }
            self.writer = nil
            defer { waiting = [] }
            return (writer, wokenReader, waiting)
        }
        wokenReader?.resume(returning: true)
        wokenWriter?.resume(returning: batch)
    }

    /// Every reply waiting, as soon as there is one; nil once the outbox is closed and every
    /// operation in flight has finished and been taken.
    func next() async -> [Colony_V1_SessionResult]? {
        await withCheckedContinuation { continuation in
            let ready: [Colony_V1_SessionResult]?? = lock.withLock {
                if !waiting.isEmpty {
                    defer { waiting = [] }
                    return .some(waiting)
                }
                if isClosed && inFlight == 0 { return .some(nil) }
                writer = continuation
                return .none
            }
            if case .some(let batch) = ready { continuation.resume(returning: batch) }
        }
    }

    /// No operation will start any more: the writer ends once those in flight are written.
    func close() {
        let (wokenWriter, wokenReader) = lock.withLock { () -> (CheckedContinuation<[Colony_V1_SessionResult]?, Never>?, CheckedContinuation<Bool, Never>?) in
            isClosed = true
            let wokenReader = reader
            reader = nil
            guard inFlight == 0, waiting.isEmpty, let writer else { return (nil, wokenReader) }
            self.writer = nil
            return (writer, wokenReader)
        }
        wokenReader?.resume(returning: false)
        wokenWriter?.resume(returning: nil)
    }
}
