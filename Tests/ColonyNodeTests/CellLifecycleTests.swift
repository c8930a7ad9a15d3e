import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("deleting cells and holding them to their quotas, over gRPC", .serialized, .colonyTurn)
struct CellLifecycleTests {
    func clientAddresses(_ colony: LocalColony) -> [String] {
        colony.configs.map(\.own.clientAddress)
    }

    func failure<Value>(_ body: () async throws -> Value) async -> ColonyError? {
        do {
            _ = try await body()
            return nil
        } catch let error as ColonyError {
            return error
        } catch {
            Issue.record("not a ColonyError: \(error)")
            return nil
        }
    }

    @Test(
        "a deleted cell ends its watches, refuses every request even after a restart, and its name cannot be created again",
        .timeLimit(.minutes(2)))
    func deletion() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("doomed", nodes: [1, 2, 3])
        try await client.put("doomed", "k", "v")
        let watch = client.watch("doomed")
        let watcher = Task { () -> ColonyError? in
            do {
                _ = try await collect(watch, through: UInt64.max)
                return nil
            } catch let error as ColonyError {
                return error
            }
        }
        #expect(try await client.deleteCell("doomed") == false)
        guard case .cellDeleted(let ended)? = try await within(.seconds(30), "the watch to end", { try await watcher.value }) else {
            Issue.record("the watch did not end with cellDeleted")
            return
        }
        #expect(ended.contains("doomed was deleted"))
        guard case .cellDeleted? = await failure({ try await client.get("doomed", "k") }) else {
            Issue.record("a read of a deleted cell was not refused as deleted")
            return
        }
        #expect(try await client.deleteCell("doomed") == true, "deleting again says it was deleted already")
        guard case .cellExists(let refusal)? = await failure({ try await client.createCell("doomed", nodes: [1, 2, 3]) }) else {
            Issue.record("the deleted name was created again")
            return
        }
        #expect(refusal.contains("not reused"))

        for node: UInt32 in 1...3 { await colony.stop(node) }
        try await colony.startAll()
        for node: UInt32 in 1...3 {
            let status = try await #require(colony.servers[node]).status()
            #expect(status.deletedCells == [CellID("doomed")])
            #expect(status.cells.isEmpty, "node \(node) holds no replica of the deleted cell")
        }
        let fresh = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        guard case .cellDeleted? = await failure({ try await fresh.put("doomed", "k", "again") }) else {
            Issue.record("a write to a deleted cell after a restart was not refused as deleted")
            return
        }
        await fresh.close()
        await client.close()
        await colony.shutdown()
    }

    @Test(
        "a cell created with quotas refuses what exceeds them, naming the limit; info shows usage; the colony's maxima bound the quotas",
        .timeLimit(.minutes(2)))
    func quotas() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("small", nodes: [1, 2, 3], quota: .init(keysMax: 2, bytesMax: 20, valueBytesMax: 15))
        try await client.put("small", "a", "12345")
        try await client.put("small", "b", "12345")
        guard case .quotaExceeded(let keys)? = await failure({ try await client.put("small", "c", "1") }) else {
            Issue.record("a third key was not refused")
            return
        }
        #expect(keys.contains("limit of 2 keys"))
        guard case .quotaExceeded(let bytes)? = await failure({ try await client.put("small", "a", String(repeating: "x", count: 15)) }) else {
            Issue.record("a write past the byte quota was not refused")
            return
        }
        #expect(bytes.contains("its limit is 20 bytes"))
        guard case .valueTooLarge(let value)? = await failure({ try await client.put("small", "a", String(repeating: "x", count: 16)) }) else {
            Issue.record("a value past its size limit was not refused")
            return
        }
        #expect(value.contains("up to 15 bytes"))

        let info = try await client.cellInfo("small")
        #expect(info.keyCount == 2)
        #expect(info.byteCount == 12)
        #expect(info.limits.keysMax == 2 && info.limits.bytesMax == 20 && info.limits.valueBytesMax == 15)

        guard case .invalidArgument(let tooBig)? = await failure({
            try await client.createCell("huge", nodes: [1, 2, 3], quota: .init(keysMax: 10_000_000))
        }) else {
            Issue.record("a quota past the colony's maximum was accepted")
            return
        }
        #expect(tooBig.contains("maximum of 100000 keys"))
        await client.close()
        await colony.shutdown()
    }

    @Test("a node that is not a member sends the creation to a member", .timeLimit(.minutes(2)))
    func creationAtAMember() async throws {
        let colony = try LocalColony(nodes: 5)
        try await colony.startAll()
        let client = try ColonyClient(nodes: [colony.configs[4].own.clientAddress], tls: colony.clientTLS)
        let configuration = try await client.createCell("elsewhere", nodes: [1, 2, 3])
        #expect(configuration.members.map(\.node) == [1, 2, 3])
        try await client.put("elsewhere", "k", "v")
        #expect(try await client.get("elsewhere", "k")?.text == "v")
        await client.close()
        await colony.shutdown()
    }
}

@Suite("the rules a node serves watches by")
struct WatchRuleTests {
    let cell = CellID("w")

    /// A host of node 1 holding cell `w` with `writes` puts applied, its feed keeping `kept`.
    func host(writes: Int, kept: Int) throws -> ReplicaHost {
        var options = ReplicaOptions()
        options.changesKeptMax = kept
        var host = ReplicaHost(node: NodeID(1), options: options, seed: 1)
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        _ = host.createCell(cell, configuration: configuration)
        let ballot = Ballot(epoch: 1, round: 1, node: NodeID(2))
        for slot in 1...writes {
            let command = ClientCommand(
                id: RequestID(client: ClientID(4), sequence: UInt64(slot)), operation: .put("k", Array("\(slot)".utf8)), opensSession: slot == 1)
            let accept = PeerMessageBody.accept(ballot, slot: Slot(slot), batch: [.client(command)], commit: Slot(slot - 1))
            _ = host.receive([PeerMessage(cell: cell, body: accept)], from: NodeID(2))
        }
        _ = host.receive([PeerMessage(cell: cell, body: .heartbeat(ballot, commit: Slot(writes), round: 1))], from: NodeID(2))
        return host
    }

    func answer(after: Revision, resumed: Bool, limit: Int = 64, cell: CellID? = nil, host: ReplicaHost, closed: Bool = false) -> WatchAnswer {
        WatchAnswer(cell: cell ?? self.cell, after: after, limit: limit, isResumed: resumed, host: host, isClosed: closed)
    }

    @Test("a watch gets at most its batch of changes, then waits once it has seen the latest")
    func batchesThenWaits() throws {
        let host = try host(writes: 10, kept: 100)
        guard case .changes(let changes) = answer(after: 2, resumed: false, limit: 3, host: host) else {
            Issue.record("no changes handed out")
            return
        }
        #expect(changes.map(\.revision) == [3, 4, 5])
        #expect(answer(after: 10, resumed: true, host: host) == .wait)
    }

    @Test("a gap before the kept changes is compacted for a new watch and slow consumer for one served before")
    func compactedOrSlow() throws {
        let host = try host(writes: 10, kept: 4)
        #expect(answer(after: 2, resumed: false, host: host) == .end(.compacted(heldAfter: 6)))
        #expect(answer(after: 2, resumed: true, host: host) == .end(.slowConsumer(heldAfter: 6)))
        #expect(answer(after: 6, resumed: true, host: host) != .end(.slowConsumer(heldAfter: 6)))
    }

    @Test("a stopping node, an unknown cell and a node that is not a member end the watch")
    func endings() throws {
        let host = try host(writes: 1, kept: 4)
        #expect(answer(after: 0, resumed: false, host: host, closed: true) == .end(.stopping))
        #expect(answer(after: 0, resumed: false, cell: CellID("other"), host: host) == .end(.cellNotFound))
        var outsider = ReplicaHost(node: NodeID(9), options: ReplicaOptions(), seed: 1)
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        _ = outsider.createCell(cell, configuration: configuration)
        #expect(answer(after: 0, resumed: false, host: outsider) == .end(.notMember(configuration)))
    }

    @Test("a node serves at most its limit of watches, and none once closed")
    func watchLimit() {
        var board = WatchBoard(watchesMax: 2, perClientMax: 2)
        #expect(board.open(client: "a") == nil)
        #expect(board.open(client: "b") == nil)
        #expect(board.open(client: "c") == .tooManyWatches(max: 2))
        board.close(client: "a")
        #expect(board.open(client: "c") == nil)
        _ = board.closeAll()
        board.close(client: "c")
        #expect(board.open(client: "c") == .stopping)
    }

    @Test("one client cannot take every watch slot of a node; the others keep theirs")
    func watchLimitPerClient() {
        var board = WatchBoard(watchesMax: 10, perClientMax: 3)
        for _ in 0..<3 { #expect(board.open(client: "greedy") == nil) }
        #expect(board.open(client: "greedy") == .tooManyWatchesOfClient(client: "greedy", max: 3))
        #expect(board.open(client: "modest") == nil)
        board.close(client: "greedy")
        #expect(board.open(client: "greedy") == nil)
        #expect(board.openCount(of: "greedy") == 3 && board.openCount == 4)
    }
}
