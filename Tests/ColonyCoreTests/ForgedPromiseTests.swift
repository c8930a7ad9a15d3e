import ColonyCore
import ColonySim
import Testing

/// A promise is an acceptor's report of what it accepted; one that reports a slot further
/// ahead than any acceptor's log reaches is forged, and a candidate that believed it would
/// have to fill every slot up to it with no-ops.
@Suite("a forged promise cannot make a new leader fill the log")
struct ForgedPromiseTests {
    @Test("a promise reporting an entry past the log's reach is dropped, named in an event, and a leader is elected without it")
    func farSlotIsRefused() throws {
        var cell = try Scenario.cell(5)
        let first = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v"), to: first)
        let applied = try #require(cell.replicas[first]?.appliedThrough)
        let hostile = try #require(cell.nodes.first { $0 != first })
        let farSlot = applied + 3 * ReplicaOptions().logSlotsMax
        cell.forge = { from, _, body in
            guard from == hostile, case .promise(let ballot, let appliedThrough, var entries) = body else { return body }
            entries.append(SlotEntry(slot: farSlot, entry: LogEntry(ballot: ballot, batch: [.noop], isChosen: false)))
            return .promise(ballot, appliedThrough: appliedThrough, entries: entries)
        }
        cell.isolated = [first]
        let elected = cell.tickUntilLeader()
        let next = try #require(elected, "the members that are honest elect a leader")
        #expect(next != first)
        #expect(cell.events.contains { $0.event == .refusedMessage(from: hostile, reason: .promisedSlotOutOfReach(farSlot)) })
        for _ in 0..<20 { cell.tick() }
        let reached = try #require(cell.replicas[next]?.appliedThrough)
        #expect(reached < applied + ReplicaOptions().logSlotsMax, "the leader proposed up to slot \(reached)")
    }
}
