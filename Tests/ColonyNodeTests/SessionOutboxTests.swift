import ColonyAPI
import Testing
@testable import ColonyNode

@Suite("a session's outbox: bounded operations in flight, replies taken together")
struct SessionOutboxTests {
    func result(_ tag: UInt64) -> Colony_V1_SessionResult {
        var result = Colony_V1_SessionResult()
        result.tag = tag
        return result
    }

    @Test("replies that finish while the writer is busy leave together, in the order they finished")
    func repliesLeaveTogether() async {
        let outbox = SessionOutbox(inFlightMax: 8)
        for _ in 0..<3 { #expect(await outbox.reserve()) }
        outbox.put(result(2))
        outbox.put(result(1))
        outbox.put(result(3))
        #expect(await outbox.next()?.map(\.tag) == [2, 1, 3])
        outbox.close()
        #expect(await outbox.next() == nil)
    }

    @Test("a reader at the limit waits until an operation finishes")
    func readerWaitsForRoom() async {
        let outbox = SessionOutbox(inFlightMax: 2)
        #expect(await outbox.reserve())
        #expect(await outbox.reserve())
        let third = Task { await outbox.reserve() }
        // The third operation may start only once one of the two in flight finished.
        outbox.put(result(1))
        #expect(await third.value)
        #expect(await outbox.next()?.map(\.tag) == [1])
    }

    @Test("after close, nothing new starts, and the writer ends once what is in flight is written")
    func closeDrainsThenEnds() async {
        let outbox = SessionOutbox(inFlightMax: 1)
        #expect(await outbox.reserve())
        let blocked = Task { await outbox.reserve() }
        outbox.close()
        #expect(await blocked.value == false, "a reader waiting for room is told to stop")
        #expect(await outbox.reserve() == false)
        let writer = Task { () -> [[UInt64]] in
            var batches: [[UInt64]] = []
            while let batch = await outbox.next() { batches.append(batch.map(\.tag)) }
            return batches
        }
        outbox.put(result(7))
        #expect(await writer.value == [[7]])
    }
}
