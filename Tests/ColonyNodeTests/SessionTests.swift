import ColonyAPI
@testable import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import ColonyNode

@Suite("client sessions: many tagged operations on one stream", .serialized, .colonyTurn)
struct SessionTests {
    @Test("every operation's reply comes back under its tag, and one without a body is refused by tag", .timeLimit(.minutes(2)))
    func repliesMatchTags() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        let cells = (0..<4).map { "session-\($0)" }
        for cell in cells {
            _ = try await client.createCell(cell, nodes: [1, 2, 3])
            try await client.put(cell, "k", "first")
        }
        // One node answers for cells it does not lead with NOT_LEADER, tagged like any reply.
        let grpc = GRPCClient(transport: try .http2NIOPosix(
            target: .ipv4(address: "127.0.0.1", port: Int(colony.configs[0].own.clientAddress.split(separator: ":")[1])!),
            transportSecurity: colony.clientTLS.transportSecurity()))
        let running = Task { try await grpc.runConnections() }
        defer {
            grpc.beginGracefulShutdown()
            running.cancel()
        }
        var request = Colony_V1_SessionRequest()
        for (index, cell) in cells.enumerated() {
            var get = Colony_V1_GetRequest()
            get.header.cell = cell
            get.header.clientID = 77
            get.header.sequence = 1
            get.key = "k"
            var operation = Colony_V1_SessionOperation()
            operation.tag = UInt64(100 + index)
            operation.get = get
            request.operations.append(operation)
        }
        var empty = Colony_V1_SessionOperation()
        empty.tag = 999
        request.operations.append(empty)
        let sent = request
        let results = try await Colony_V1_Colony.Client(wrapping: grpc).session { writer in
            try await writer.write(sent)
        } onResponse: { response in
            var results: [Colony_V1_SessionResult] = []
            for try await reply in response.messages { results += reply.results }
            return results
        }
        #expect(Set(results.map(\.tag)) == Set([100, 101, 102, 103, 999]))
        for result in results where result.tag != 999 {
            guard case .get(let reply)? = result.reply else {
                Issue.record("operation \(result.tag) got \(String(describing: result.reply))")
                continue
            }
            #expect(reply.item.value == Data("first".utf8) || reply.error.code == .notLeader, "\(reply)")
        }
        let refusal = try #require(results.first { $0.tag == 999 })
        guard case .refused(let error)? = refusal.reply else {
            Issue.record("an operation without a body was not refused: \(refusal)")
            return
        }
        #expect(error.code == .invalidArgument && error.message.contains("names no operation"))
        await client.close()
        await colony.shutdown()
    }

    @Test("hundreds of concurrent operations through one client all complete, over one session per node", .timeLimit(.minutes(2)))
    func concurrentOperations() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        let cells = (0..<8).map { "busy-\($0)" }
        for cell in cells {
            _ = try await client.createCell(cell, nodes: [1, 2, 3])
            // The first write waits out the cell's first election.
            try await client.put(cell, "ready", "yes")
        }
        let versions = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<400 {
                group.addTask { try await client.increment(cells[index % cells.count], "count", by: 1) > 0 ? 1 : 0 }
            }
            return try await group.reduce(0, +)
        }
        #expect(versions == 400)
        for cell in cells {
            #expect(try await client.get(cell, "count")?.text == "50")
        }
        await client.close()
        await colony.shutdown()
    }
}
