import ColonyAPI
@testable import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import GRPCCore
import Testing
@testable import ColonyNode

/// `CreateCells` over gRPC: bounded per request, answered cell by cell, and finished by asking
/// again.
@Suite("creating many cells in one call, over gRPC", .serialized, .colonyTurn)
struct CreateCellsTests {
    static func request(_ name: String, nodes: [UInt32] = [1, 2, 3]) -> Colony_V1_CreateCellRequest {
        var cell = Colony_V1_CreateCellRequest()
        cell.cell = name
        cell.nodes = nodes
        return cell
    }

    @Test("each cell is answered on its own (created, already existed, refused with its reason); more than the maximum is refused whole", .timeLimit(.minutes(2)))
    func perCellAnswersAndBound() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("gone", nodes: [1, 2, 3])
        _ = try await client.deleteCell("gone")

        var mixed = Colony_V1_CreateCellsRequest()
        mixed.cells = [
            Self.request("made-1"), Self.request("made-2"), Self.request("made-1"), Self.request("bad name!"), Self.request("two", nodes: [1, 2]),
            Self.request("far", nodes: [1, 2, 9]), Self.request("gone"),
        ]
        let sent = mixed
        let reply = try await RequestRefusalTests.withRawClient(colony) { raw in try await raw.createCells(sent) }
        #expect(!reply.hasError)
        try #require(reply.cells.count == 7)
        #expect(!reply.cells[0].hasError && !reply.cells[0].alreadyExisted && reply.cells[0].configuration.members.map(\.node) == [1, 2, 3])
        #expect(!reply.cells[1].hasError && !reply.cells[1].alreadyExisted)
        #expect(!reply.cells[2].hasError && reply.cells[2].alreadyExisted, "a cell named twice is made once")
        for index in 3...5 {
            #expect(reply.cells[index].error.code == .invalidArgument, "\(reply.cells[index].error)")
        }
        #expect(reply.cells[6].error.code == .cellExists && reply.cells[6].error.cellDeleted, "\(reply.cells[6].error)")
        for cell in ["made-1", "made-2"] {
            try await client.put(cell, "k", "v")
            #expect(try await client.get(cell, "k")?.value == Array("v".utf8))
        }

        var tooMany = Colony_V1_CreateCellsRequest()
        tooMany.cells = (0...ClientService.createCellsMax).map { Self.request("over-\($0)") }
        let oversized = tooMany
        let refusal = try await RequestRefusalTests.withRawClient(colony) { raw in
            try await Colony_V1_CreateCellsReply.inBand { try await raw.createCells(oversized) }
        }
        #expect(refusal.error.code == .invalidArgument && refusal.error.message.contains("at most \(ClientService.createCellsMax)"), "\(refusal.error)")
        #expect(refusal.cells.isEmpty)
        let status = try await #require(colony.servers[1]).status()
        #expect(!status.cells.contains { $0.cell.name.hasPrefix("over-") }, "nothing of a refused request is made")
        await client.close()
        await colony.shutdown()
    }

    @Test("a batch refused in part is finished by asking it again: made cells answer already existed, the rest are made, all serve", .timeLimit(.minutes(2)))
    func retriedAfterPartialFailure() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        var cells = (1...40).map { ColonyClient.NewCell(name: "batch-\($0)", nodes: [1, 2, 3]) }
        // One cell asks for a quota over the colony's maximum: refused, the others made.
        cells[17].quota = ColonyClient.Quota(keysMax: .max)
        let first = try await client.createCells(cells, at: colony.configs[1].own.clientAddress)
        #expect(first.filter { if case .success(let made) = $0 { !made.alreadyExisted } else { false } }.count == 39)
        guard case .failure(.invalidArgument) = first[17] else {
            Issue.record("the cell over the quota maximum was not refused as invalid: \(first[17])")
            return
        }
        cells[17].quota = nil
        let again = try await client.createCells(cells)
        for (index, outcome) in again.enumerated() {
            guard case .success(let made) = outcome else {
                Issue.record("cell \(cells[index].name) was not made when asked again: \(outcome)")
                continue
            }
            #expect(made.alreadyExisted == (index != 17), "cell \(cells[index].name)")
        }
        for cell in cells {
            try await client.put(cell.name, "k", "v")
        }
        await client.close()
        await colony.shutdown()
    }
}
