import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import ColonyNode

@Suite("a request's id in every node's log", .serialized, .colonyTurn)
struct RequestTracingTests {
    @Test("a write's request id appears in the debug log of every node that handled or applied it", .timeLimit(.minutes(2)))
    func requestIdOnEveryNode() async throws {
        let recorder = LogRecorder()
        let colony = try LocalColony(nodes: 3, logger: recorder.logger(level: .debug))
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("traced"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let id = RequestID(client: ClientID(4_242), sequence: 1)
        let put = ClientRequest(id: id, cell: CellID("traced"), operation: .put(Key("k"), Array("v".utf8)), opensSession: true)
        _ = try await colony.run(put, startingAt: 1)
        for node in 1...3 {
            let line = await recorder.message(containing: "applied cell=traced node=n\(node) request=\(id)")
            #expect(line != nil, "node \(node) logged no line naming request \(id)")
        }
        await colony.shutdown()
    }
}
