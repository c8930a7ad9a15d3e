import ColonyCore
import ColonyNodeCore
import ColonyStorage
import Foundation
import Metrics

/// Owns the node's write-ahead log on a thread of its own and commits in groups: the core
/// loop hands it records and goes on; the writer appends everything handed to it since its
/// last flush, writes and fsyncs once, and reports the newest ticket that is now durable.
///
/// Tickets are the node core's (`LogAppend.ticket`); an append is durable once `onDurable`
/// has reported its ticket or a later one. A failed write or fsync stops the writer for good: after a failed
/// fsync nothing can be assumed about what reached the disk, so the node must stop rather
/// than acknowledge anything more (`onFailure` says why).
final class StorageWriter: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [CellRecord] = []
    private var queuedTicket: UInt64 = 0
    private var stopping = false
    private var failed = false
    private var idle = true

    // Touched by the writer thread only, after start.
    private let log: WriteAheadLog
    private let onDurable: @Sendable (UInt64) -> Void
    private let onFailure: @Sendable (String) -> Void
    private let metrics: NodeMetrics
    private var thread: Thread?

    init(
        log: WriteAheadLog, metrics: NodeMetrics, onDurable: @escaping @Sendable (UInt64) -> Void,
        onFailure: @escaping @Sendable (String) -> Void
    ) {
        self.log = log
        self.metrics = metrics
        self.onDurable = onDurable
        self.onFailure = onFailure
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "colony-wal"
        self.thread = thread
        thread.start()
    }

    /// Queues the node core's append; `onDurable` reports its ticket once it is durable.
    func submit(_ append: LogAppend) {
        condition.lock()
        defer { condition.unlock() }
        precondition(append.ticket > queuedTicket, "Invalid state: append tickets must grow")
        queue.append(contentsOf: append.records)
        queuedTicket = append.ticket
        condition.signal()
    }

    /// Writes what is queued, then stops the thread; returns once everything queued before
    /// the call is durable (or the writer has failed).
    func stopAfterFlushing() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !(idle && queue.isEmpty) && !failed {
            condition.wait()
        }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                condition.wait()
            }
            if queue.isEmpty && stopping {
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue
            let ticket = queuedTicket
            queue.removeAll(keepingCapacity: true)
            idle = false
            condition.unlock()

            let outcome: String?
            let started = ContinuousClock.now
            do {
                for record in batch {
                    log.append(record.record, cell: record.cell)
                }
                try log.flush()
                metrics.logFlushDuration.record(ContinuousClock.now - started)
                metrics.logFlushes.increment()
                metrics.logFlushRecords.record(Double(batch.count))
                outcome = nil
            } catch {
                outcome = "the write-ahead log failed: \(error); stopping, since nothing more can be made durable"
            }

            condition.lock()
            idle = true
            if outcome != nil {
                failed = true
            }
            condition.broadcast()
            condition.unlock()
            if let outcome {
                onFailure(outcome)
                return
            }
            onDurable(ticket)
        }
    }
}
