import ColonyAPI
@testable import ColonyClient
import ColonyCore
import ColonyTestSupport
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
@testable import ColonyNode

/// What generic gRPC tooling sees of a node: failed single calls end with a status code (the
/// in-band error in the trailing metadata), and the standard health service answers.
@Suite("gRPC status codes and the standard health service", .serialized, .colonyTurn)
struct GRPCStatusTests {
    @Test("a failed single call ends with its gRPC status, the whole in-band error in its metadata; the smart client goes on", .timeLimit(.minutes(1)))
    func failuresAsStatus() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await client.createCell("orders", nodes: [1, 2, 3])
        _ = try await client.put("orders", "k", "v")

        var get = Colony_V1_GetRequest()
        get.header.cell = "no-such-cell"
        get.header.clientID = 41
        get.header.sequence = 1
        get.key = "k"
        let sent = get
        let missing = try await RequestRefusalTests.withRawClient(colony) { raw in
            await Self.status { _ = try await raw.get(sent) }
        }
        #expect(missing?.code == .notFound, "\(String(describing: missing))")
        #expect(missing.flatMap(Colony_V1_Error.init(carriedBy:))?.code == .cellNotFound)

        // A compare-and-set that finds another value: FAILED_PRECONDITION, and what it found.
        var swap = Colony_V1_CompareAndSetRequest()
        swap.header.cell = "orders"
        swap.header.clientID = 77
        swap.header.sequence = 1
        swap.header.opensSession = true
        swap.key = "k"
        swap.value = Data("not-v".utf8)
        swap.newValue = Data("w".utf8)
        let attempt = swap
        var found: RPCError?
        for address in colony.configs.map(\.own.clientAddress) {
            found = try await RawColonyCall.with(address, tls: colony.clientTLS) { raw, _ in
                await Self.status { _ = try await raw.compareAndSet(attempt) }
            }
            if found?.code != .unavailable { break }
        }
        let mismatch = try #require(found)
        #expect(mismatch.code == .failedPrecondition, "\(mismatch)")
        let detail = try #require(Colony_V1_Error(carriedBy: mismatch))
        #expect(detail.code == .conditionFailed)
        #expect(detail.current.value == Data("v".utf8))
        #expect(mismatch.message == detail.message)

        // The smart client, on sessions, still reads errors in band.
        do {
            _ = try await client.compareAndSet("orders", "k", expected: .value(Array("not-v".utf8)), value: Array("w".utf8))
            Issue.record("the compare-and-set applied")
        } catch ColonyError.conditionFailed {
        }
        #expect(try await client.get("orders", "k")?.text == "v")
        await client.close()
        await colony.shutdown()
    }

    @Test("every error code maps to a gRPC status, and the status carries the error back whole")
    func everyCodeRoundTrips() {
        for code in Colony_V1_ErrorCode.allCases where code != .unspecified {
            var error = Colony_V1_Error()
            error.code = code
            error.message = "what went wrong with \(code)"
            error.leaderHint = 2
            let status = error.status
            #expect(status.code != .unknown, "\(code)")
            #expect(Colony_V1_Error(carriedBy: status) == error)
        }
        #expect(Colony_V1_ErrorCode.unauthorized.statusCode == .permissionDenied)
        #expect(Colony_V1_Error(carriedBy: RPCError(code: .unavailable, message: "no metadata")) == nil)
    }

    @Test("a failed reply's status carries the reply whole; one with only the error gives a reply of that error; a bare status none")
    func replyRoundTrips() throws {
        var refused = Colony_V1_TransferLeadershipReply()
        refused.error.code = .unavailable
        refused.error.message = "node 3 has not answered the leader lately"
        refused.refusal = .targetNotLive
        var carried: RPCError?
        do {
            _ = try refused.answered()
        } catch {
            carried = error
        }
        let status = try #require(carried)
        #expect(status.code == .unavailable && status.message == refused.error.message)
        #expect(Colony_V1_TransferLeadershipReply(carriedBy: status) == refused)
        #expect(Colony_V1_Error(carriedBy: status) == refused.error)

        let errorOnly = try #require(Colony_V1_TransferLeadershipReply(carriedBy: refused.error.status))
        #expect(errorOnly.error == refused.error && errorOnly.refusal == .unspecified)
        #expect(Colony_V1_TransferLeadershipReply(carriedBy: RPCError(code: .unavailable, message: "connection reset")) == nil)

        var succeeded = Colony_V1_TransferLeadershipReply()
        succeeded.alreadyLeader = true
        #expect(try succeeded.answered() == succeeded)
    }

    @Test("the health service says SERVING for the node and its services, NOT_FOUND for others, and a watch hears NOT_SERVING when the node stops", .timeLimit(.minutes(1)))
    func health() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let port = try #require(HostPort(colony.configs[0].own.clientAddress)).port
        let grpc = GRPCClient(transport: try .http2NIOPosix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: colony.clientTLS.transportSecurity()))
        let running = Task { try await grpc.runConnections() }
        defer {
            grpc.beginGracefulShutdown()
            running.cancel()
        }
        let health = Grpc_Health_V1_Health.Client(wrapping: grpc)
        for service in ["", "colony.v1.Colony", "colony.v1.ColonyControl"] {
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = service
            #expect(try await health.check(request).status == .serving, "\(service)")
        }
        var unknown = Grpc_Health_V1_HealthCheckRequest()
        unknown.service = "etcdserverpb.KV"
        let refused = await Self.status { _ = try await health.check(unknown) }
        #expect(refused?.code == .notFound)

        let (heard, hearing) = AsyncStream.makeStream(of: Grpc_Health_V1_HealthCheckResponse.ServingStatus.self)
        let watching = Task {
            try? await health.watch(Grpc_Health_V1_HealthCheckRequest()) { response in
                for try await message in response.messages { hearing.yield(message.status) }
            }
            hearing.finish()
        }
        var statuses = heard.makeAsyncIterator()
        #expect(await statuses.next() == .serving)
        await colony.stop(1)
        #expect(await statuses.next() == .notServing)
        await watching.value
        await colony.shutdown()
    }

    /// The status `call` failed with; nil when it succeeded.
    static func status(_ call: () async throws -> Void) async -> RPCError? {
        do {
            try await call()
            return nil
        } catch let status as RPCError {
            return status
        } catch {
            return RPCError(code: .unknown, message: "not a gRPC status: \(error)")
        }
    }
}
