import ColonyClient
import ColonyCore
import Foundation

/// Drives a running colony through the client library and writes down what every client
/// did, as a history for `colony check`: reads, writes and compare-and-sets over a few keys
/// of each cell, each write of a value no other write writes. A load that starts a history
/// first reads what every key holds and records it as written before the load, so cells left
/// with data by an earlier run are checked from that data (HISTORY.md). After the load, one
/// fresh client reads every key, so an acknowledged write that was lost fails the check.
struct LoadRunner: Sendable {
    var nodes: [String]
    var tls: ClientTLS
    var cells: [String]
    var keysPerCell = 3
    var clients = 8
    var duration: Duration = .seconds(10)
    var policy = ColonyClient.Policy()
    /// What every value this run writes starts with: drawn anew for each run, so that no run
    /// writes a value an earlier run over the same cells wrote (and left in them).
    var runTag = "r" + String(UInt32.random(in: 0...UInt32.max), radix: 36)

    /// Runs the load until `duration` has passed or `history.stop()` is called, then the
    /// final reads; returns the history. Whoever holds `history` can follow the load's progress.
    func run(history: HistoryLog = HistoryLog()) async throws -> [HistoryEvent] {
        let made = try (0..<clients).map { _ in try ColonyClient(nodes: nodes, tls: tls, policy: policy) }
        let events = try await run(history: history, using: made)
        for client in made { await client.close() }
        return events
    }

    /// The same, each of `clients` (one per loop, kept open) driving one loop of the load:
    /// clients connected before may go on using their connections.
    func run(history: HistoryLog = HistoryLog(), using clients: [ColonyClient]) async throws -> [HistoryEvent] {
        if await history.events.isEmpty {
            try await recordStartingState(into: history)
        }
        let end = ContinuousClock.now + duration
        await withTaskGroup(of: Void.self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    var worker = LoadWorker(
                        index: index, client: client, cells: cells, keysPerCell: keysPerCell, valueTag: runTag, history: history)
                    await worker.run(until: end)
                }
            }
        }
        try await readEveryKey(into: history)
        return await history.events
    }

    /// The keys of every cell the load touches.
    private var keys: [String] { (0..<keysPerCell).map { "k\($0)" } }

    /// Reads every key before the load and records each value found as a write by a process
    /// of its own, done before any other operation starts: the checker assumes empty cells.
    /// A key that cannot be read leaves its history unknown, so the load does not start.
    private func recordStartingState(into history: HistoryLog) async throws {
        let reader = try ColonyClient(nodes: nodes, tls: tls, policy: policy)
        let found = await valuesHeld(reading: reader)
        await reader.close()
        let process = await history.newProcess()
        for (cell, key, value) in try found.get() {
            await history.record(process, .invoke, .write, cell, key, .string(value))
            await history.record(process, .ok, .write, cell, key, .string(value))
        }
    }

    /// The value every key that holds one holds now, or why one could not be read.
    private func valuesHeld(reading reader: ColonyClient) async -> Result<[(String, String, String)], LoadError> {
        var values: [(String, String, String)] = []
        for cell in cells {
            for key in keys {
                do {
                    if let item = try await reader.get(cell, key) { values.append((cell, key, item.text)) }
                } catch {
                    return .failure(.startingStateUnread(cell: cell, key: key, "\(error)"))
                }
            }
        }
        return .success(values)
    }

    /// One fresh client reads every key after the load.
    private func readEveryKey(into history: HistoryLog) async throws {
        let reader = try ColonyClient(nodes: nodes, tls: tls, policy: policy)
        let process = await history.newProcess()
        for cell in cells {
            for key in keys {
                await history.record(process, .invoke, .read, cell, key, .null)
                do {
                    let item = try await reader.get(cell, key)
                    await history.record(process, .ok, .read, cell, key, item.map { .string($0.text) } ?? .null)
                } catch {
                    await history.countError(error)
                    await history.record(process, .fail, .read, cell, key, .null)
                }
            }
        }
        await reader.close()
    }
}

/// Why a load could not run.
enum LoadError: Error, CustomStringConvertible {
    /// A key's value before the load could not be read, so its history cannot be checked.
    case startingStateUnread(cell: String, key: String, String)

    var description: String {
        switch self {
        case .startingStateUnread(let cell, let key, let error):
            "cannot read what key \(key) of cell \(cell) holds before the load, so its history could not be checked: \(error)"
        }
    }
}

/// One client of the load: one operation at a time, each recorded at invoke and at its end.
private struct LoadWorker {
    let index: Int
    let client: ColonyClient
    let cells: [String]
    let keysPerCell: Int
    let valueTag: String
    let history: HistoryLog
    private var random: SplitMix64
    private var written = 0
    /// What every value this worker writes starts with: the run's tag and the first process
    /// number of its run, which no other run on the same history has, so a value is written
    /// once in a history however many loads it holds (the checker tells writes apart by their
    /// values), and once in the cells however many runs loaded them.
    private var valuePrefix = ""
    private var lastSeen: [String: String] = [:]

    init(index: Int, client: ColonyClient, cells: [String], keysPerCell: Int, valueTag: String, history: HistoryLog) {
        self.index = index
        self.client = client
        self.cells = cells
        self.keysPerCell = keysPerCell
        self.valueTag = valueTag
        self.history = history
        random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64.random(in: 0...UInt64.max))
    }

    mutating func run(until end: ContinuousClock.Instant) async {
        var process = await history.newProcess()
        valuePrefix = "\(valueTag)-p\(process)"
        while ContinuousClock.now < end, await !history.isStopped {
            let cell = cells[Int(random.next() % UInt64(cells.count))]
            let key = "k\(random.next() % UInt64(keysPerCell))"
            let roll = random.next() % 100
            let outcome: (HistoryEventType, HistoryValue)
            switch roll {
            case 0..<40:
                await history.record(process, .invoke, .read, cell, key, .null)
                do {
                    let item = try await client.get(cell, key)
                    if let item { lastSeen[cell + "/" + key] = item.text }
                    outcome = (.ok, item.map { .string($0.text) } ?? .null)
                } catch {
                    // A read changes nothing, so one that failed is simply not done.
                    await history.countError(error)
                    outcome = (.fail, .null)
                }
                await history.record(process, outcome.0, .read, cell, key, outcome.1)
            case 40..<75:
                let value = freshValue()
                await history.record(process, .invoke, .write, cell, key, .string(value))
                do {
                    try await client.put(cell, key, value)
                    outcome = (.ok, .string(value))
                } catch {
                    await history.countError(error)
                    outcome = (Self.isDefiniteFailure(error) ? .fail : .info, .string(value))
                }
                await history.record(process, outcome.0, .write, cell, key, outcome.1)
            default:
                let expected = lastSeen[cell + "/" + key]
                let value = freshValue()
                let pair = HistoryValue.pair(expected, value)
                await history.record(process, .invoke, .cas, cell, key, pair)
                do {
                    try await client.compareAndSet(
                        cell, key, expected: expected.map { .value(Array($0.utf8)) } ?? .absent, value: Array(value.utf8))
                    outcome = (.ok, pair)
                } catch {
                    await history.countError(error)
                    outcome = (Self.isDefiniteFailure(error) ? .fail : .info, pair)
                }
                await history.record(process, outcome.0, .cas, cell, key, outcome.1)
            }
            if outcome.0 == .info {
                // As in Jepsen: a process with an operation of unknown outcome never issues again.
                process = await history.newProcess()
            }
        }
    }

    private mutating func freshValue() -> String {
        written += 1
        return "\(valuePrefix)-\(written)"
    }

    /// Errors after which a write certainly did not take effect.
    private static func isDefiniteFailure(_ error: any Error) -> Bool {
        switch error as? ColonyError {
        case .conditionFailed, .cellNotFound, .invalidArgument, .valueTooLarge, .quotaExceeded, .notAnInteger,
             .integerOverflow, .transactionStepFailed, .unauthorized, .cellExists, .cellDeleted, .compacted:
            return true
        case .outcomeUnknown, .unavailable, nil:
            return false
        }
    }
}

/// The history being recorded, shared by every worker; it also tells the workers when to
/// stop, and lets whoever drives the load wait for its progress.
actor HistoryLog {
    private(set) var events: [HistoryEvent] = []
    /// Operations that completed with `ok` so far.
    private(set) var completed = 0
    /// Operations that ended in an error the client gave up on (unavailable, timed out, ...),
    /// after its own retries; a compare-and-set whose condition did not hold is not one.
    private(set) var errors = 0
    /// Compare-and-sets that found another value than they expected, and so wrote nothing.
    private(set) var conditionFailures = 0
    /// Whether the workers were asked to stop.
    private(set) var isStopped = false
    private var nextProcess = 0
    private var waiters: [Int: (count: Int, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextWaiter = 0
    private let start = ContinuousClock.now

    /// Makes an empty history.
    init() {}

    /// How far the load has come, for a progress line.
    var progressLine: String {
        "\(Format.rounded(ContinuousClock.now - start)): \(completed) operations ok, \(errors) errors"
    }

    /// The history's clock: nanoseconds since the history began, as its events are stamped.
    var now: UInt64 {
        Self.nanoseconds(ContinuousClock.now - start)
    }

    /// The events from position `index` on, for a reader following the history as it grows.
    func events(from index: Int) -> ArraySlice<HistoryEvent> {
        events[min(index, events.count)...]
    }

    func newProcess() -> Int {
        defer { nextProcess += 1 }
        return nextProcess
    }

    /// Asks every worker to stop after its current operation.
    func stop() {
        isStopped = true
    }

    /// Waits until `count` operations in all have completed with `ok`; false if `timeout`
    /// passed first.
    func waitForCompleted(_ count: Int, within timeout: Duration) async -> Bool {
        guard completed < count else { return true }
        let waiter = nextWaiter
        nextWaiter += 1
        Task {
            try? await Task.sleep(for: timeout)
            self.expire(waiter)
        }
        return await withCheckedContinuation { continuation in
            waiters[waiter] = (count, continuation)
        }
    }

    private func expire(_ waiter: Int) {
        waiters.removeValue(forKey: waiter)?.continuation.resume(returning: false)
    }

    /// Counts `error`, which ended an operation, unless it is a condition that did not hold.
    func countError(_ error: any Error) {
        if case .conditionFailed? = error as? ColonyError {
            conditionFailures += 1
            return
        }
        errors += 1
    }

    func record(
        _ process: Int, _ type: HistoryEventType, _ function: HistoryFunction, _ cell: String, _ key: String,
        _ value: HistoryValue
    ) {
        events.append(HistoryEvent(
            index: events.count, time: max(now, events.last?.time ?? 0), process: process, type: type,
            function: function, cell: cell, key: key, value: value))
        guard type == .ok else { return }
        completed += 1
        for (waiter, waiting) in waiters where waiting.count <= completed {
            waiters[waiter] = nil
            waiting.continuation.resume(returning: true)
        }
    }

    private static func nanoseconds(_ elapsed: Duration) -> UInt64 {
        UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
    }
}
