import Testing
@testable import ColonyClient

@Suite("the bounded hand-off between a watch's connection and its reader")
struct ChangeChannelTests {
    func change(_ revision: UInt64) -> ColonyChange {
        ColonyChange(revision: revision, keys: [ColonyKeyChange(key: "k", value: [UInt8(revision % 256)])])
    }

    /// Records how far a writer got, so a test can wait for it without sleeping.
    actor Progress {
        private(set) var sent = 0
        private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        func didSend() {
            sent += 1
            let ready = waiters.filter { $0.count <= sent }
            waiters.removeAll { $0.count <= sent }
            ready.forEach { $0.continuation.resume() }
        }

        func waitFor(_ count: Int) async {
            if sent >= count { return }
            await withCheckedContinuation { waiters.append((count, $0)) }
        }
    }

    @Test("a writer waits once `capacity` changes wait to be read, and the reader gets every change in order")
    func boundedAndOrdered() async throws {
        let channel = ChangeChannel(capacity: 3)
        let progress = Progress()
        let writer = Task {
            for revision in UInt64(1)...10 {
                guard await channel.send(change(revision)) else { return }
                await progress.didSend()
            }
            channel.finish(throwing: nil)
        }
        await progress.waitFor(3)
        // A fourth send cannot complete before the reader takes one: give it every chance.
        for _ in 0..<100 { await Task.yield() }
        #expect(await progress.sent == 3)
        var read: [UInt64] = []
        while let next = try await channel.next() {
            read.append(next.revision)
        }
        #expect(read == Array(1...10))
        await writer.value
    }

    @Test("the error a stream ends with comes after the changes already handed over")
    func errorAfterChanges() async throws {
        let channel = ChangeChannel(capacity: 4)
        #expect(await channel.send(change(1)))
        #expect(await channel.send(change(2)))
        channel.finish(throwing: ColonyError.cellDeleted("gone"))
        #expect(try await channel.next()?.revision == 1)
        #expect(try await channel.next()?.revision == 2)
        await #expect(throws: ColonyError.cellDeleted("gone")) { try await channel.next() }
    }

    @Test("a reader that leaves releases a waiting writer, and later sends are refused")
    func readerLeaves() async {
        let channel = ChangeChannel(capacity: 1)
        #expect(await channel.send(change(1)))
        let blocked = Task { await channel.send(change(2)) }
        for _ in 0..<100 { await Task.yield() }
        channel.readerLeft()
        #expect(await blocked.value == false)
        #expect(await channel.send(change(3)) == false)
    }
}
