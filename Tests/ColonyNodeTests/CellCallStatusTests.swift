import ColonyAPI
@testable import ColonyClient
import ColonyTestSupport
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// What generic gRPC tooling sees of the calls that are not a cell's operations: the cell
/// calls, the watch and the control service fail with their error's gRPC status, the error
/// (and, for a unary call, the whole reply) in the trailing metadata, as the data calls do.
@Suite("the cell calls, the watch and the control service fail with gRPC status codes", .serialized, .colonyTurn)
struct CellCallStatusTests {
    /// One call made raw, and what it should end with.
    private struct Expected: Sendable {
        var call: String
        var status: RPCError.Code
        var error: Colony_V1_ErrorCode
        var seen: RPCError?
    }

    @Test("CreateCell, CellInfo, Watch, ChangeMembership, TransferLeadership and ForceHeal end with their error's status", .timeLimit(.minutes(2)))
    func failuresAsStatus() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")
        _ = try await client.createCell("gone", nodes: [1, 2, 3])
        try await client.deleteCell("gone")

        let expectations = try await RawColonyCall.with(colony.configs[0].own.clientAddress, tls: colony.clientTLS) { raw, control in
            var seen: [Expected] = []
            func record(_ call: String, _ status: RPCError.Code, _ error: Colony_V1_ErrorCode, _ body: () async throws -> Void) async {
                seen.append(Expected(call: call, status: status, error: error, seen: await GRPCStatusTests.status(body)))
            }
            await record("CellInfo of an unknown cell", .notFound, .cellNotFound) {
                _ = try await raw.cellInfo(.with { $0.cell = "no-such-cell" })
            }
            await record("CellInfo of a name that is not one", .invalidArgument, .invalidArgument) {
                _ = try await raw.cellInfo(.with { $0.cell = "not a name" })
            }
            await record("CreateCell of a deleted cell's name", .alreadyExists, .cellExists) {
                _ = try await raw.createCell(.with {
                    $0.cell = "gone"
                    $0.nodes = [1, 2, 3]
                })
            }
            await record("CreateCell on nodes not in the colony", .invalidArgument, .invalidArgument) {
                _ = try await raw.createCell(.with {
                    $0.cell = "elsewhere"
                    $0.nodes = [7, 8, 9]
                })
            }
            await record("Watch of an unknown cell", .notFound, .cellNotFound) {
                try await raw.watch(.with { $0.cell = "no-such-cell" }) { response in for try await _ in response.messages {} }
            }
            await record("Watch with a prefix longer than any key", .invalidArgument, .invalidArgument) {
                let prefix = String(repeating: "p", count: 1_000)
                try await raw.watch(.with {
                    $0.cell = "orders"
                    $0.prefix = prefix
                }) { response in for try await _ in response.messages {} }
            }
            await record("ChangeMembership of an unknown cell", .notFound, .cellNotFound) {
                _ = try await control.changeMembership(.with {
                    $0.cell = "no-such-cell"
                    $0.remove = 1
                    $0.add = 2
                    $0.expectedEpoch = 1
                })
            }
            await record("ChangeMembership adding the member it removes", .invalidArgument, .invalidArgument) {
                _ = try await control.changeMembership(.with {
                    $0.cell = "orders"
                    $0.remove = 2
                    $0.add = 2
                    $0.expectedEpoch = 1
                })
            }
            await record("TransferLeadership to no member", .invalidArgument, .invalidArgument) {
                _ = try await control.transferLeadership(.with { $0.cell = "orders" })
            }
            await record("ForceHeal of a replica that is not damaged", .invalidArgument, .invalidArgument) {
                _ = try await control.forceHeal(.with { $0.cell = "orders" })
            }
            await record("ForceHeal of an unknown cell", .notFound, .cellNotFound) {
                _ = try await control.forceHeal(.with { $0.cell = "no-such-cell" })
            }
            return seen
        }
        for expected in expectations {
            let seen = try #require(expected.seen, "\(expected.call) succeeded")
            #expect(seen.code == expected.status, "\(expected.call): \(seen)")
            let error = Colony_V1_Error(carriedBy: seen)
            #expect(error?.code == expected.error, "\(expected.call): \(String(describing: error))")
            #expect(seen.message == error?.message, "\(expected.call)")
        }
        let deleted = try #require(expectations.first { $0.call.hasPrefix("CreateCell of a deleted") }?.seen)
        #expect(Colony_V1_Error(carriedBy: deleted)?.cellDeleted == true)

        // A refusal the reply names beside its error arrives whole: the cell's leader refuses
        // to hand its lead to a node that is not a member.
        var refused: RPCError?
        for address in colony.configs.map(\.own.clientAddress) {
            refused = try await RawColonyCall.with(address, tls: colony.clientTLS) { _, control in
                await GRPCStatusTests.status {
                    _ = try await control.transferLeadership(.with {
                        $0.cell = "orders"
                        $0.target = 9
                    })
                }
            }
            if refused?.code != .unavailable { break }
        }
        let notMember = try #require(refused)
        #expect(notMember.code == .invalidArgument, "\(notMember)")
        let reply = try #require(Colony_V1_TransferLeadershipReply(carriedBy: notMember))
        #expect(reply.refusal == .notMember && reply.error.code == .invalidArgument, "\(reply)")

        // The client library reads the statuses back as the errors they carry.
        do {
            _ = try await client.cellInfo("no-such-cell")
            Issue.record("an unknown cell described")
        } catch ColonyError.cellNotFound {
        }
        do {
            _ = try await client.createCell("gone", nodes: [1, 2, 3])
            Issue.record("a deleted cell's name reused")
        } catch ColonyError.cellExists {
        }
        let answer = try await client.transferLeadership("orders", to: 9)
        #expect(answer == .refused(.notMember, reply.error.message), "\(answer)")
        await client.close()
        await colony.shutdown()
    }
}
