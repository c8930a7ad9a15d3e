import ColonyClient
import Foundation
import Testing
@testable import colony

/// Why a bounded wait in a test gave up.
struct TestTimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TestTimedOut` if it takes longer than `limit`.
func within<Value: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TestTimedOut(what: what) }
        return value
    }
}

/// Polls `condition` every 20 ms until it holds, for at most `limit`.
func waitUntil(_ limit: Duration, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestTimedOut(what: what)
}

/// Reads a watch until it has delivered the change of revision `last`, or ended.
func collect(_ watch: ColonyWatch, through last: UInt64) async throws -> [ColonyChange] {
    var seen: [ColonyChange] = []
    for try await change in watch {
        seen.append(change)
        if change.revision >= last { break }
    }
    return seen
}

extension LoadRunner {
    /// The checked load the process tests run against `colony`: `clients` loops over `cells`
    /// for `duration`, each operation given 5 s, retries included.
    static func checked(on colony: LocalNodes, cells: [String], clients: Int, duration: Duration) -> LoadRunner {
        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(5)
        var runner = LoadRunner(nodes: colony.clientAddresses, tls: colony.clientTLS, cells: cells)
        runner.clients = clients
        runner.duration = duration
        runner.policy = policy
        return runner
    }
}

/// The steps of a fault schedule under a checked load: each step waits until `perStep` more
/// operations have completed from the moment it is called, so every fault is judged under
/// load and a colony that stalls for `within` fails the test.
struct LoadProgress {
    let log: HistoryLog
    let perStep: Int
    let within: Duration

    /// Waits for `perStep` more operations; `step` names where the schedule is, for the failure.
    func wait(_ step: String) async throws {
        let target = await log.completed + perStep
        let reached = await log.waitForCompleted(target, within: within)
        let done = await log.completed
        try #require(reached, "the colony made no progress for \(within) \(step) (\(done) operations done)")
    }
}
