import ColonyAPI
@testable import ColonyClient
import ColonyNode
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Calls of the client API made without the client library, so a test chooses every field
/// (a session id, a sequence) and sees the gRPC status itself.
enum RawColonyCall {
    /// Runs `body` with a raw client of the node at `address` that presents `tls`'s certificate.
    static func with<Value: Sendable>(
        _ address: String, tls: ClientTLS,
        _ body: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>, Colony_V1_ColonyControl.Client<HTTP2ClientTransport.Posix>) async throws -> Value
    ) async throws -> Value {
        guard let target = HostPort(address) else { throw TestTimedOut(what: "an address to reach (\(address))") }
        let grpc = GRPCClient(transport: try .http2NIOPosix(
            target: .ipv4(address: target.host, port: target.port), transportSecurity: tls.transportSecurity()))
        let running = Task { try await grpc.runConnections() }
        defer {
            grpc.beginGracefulShutdown()
            running.cancel()
        }
        return try await body(Colony_V1_Colony.Client(wrapping: grpc), Colony_V1_ColonyControl.Client(wrapping: grpc))
    }

    /// A Put of `key` = `value` in `cell` under session `clientID` at `sequence`, sent to each
    /// of `addresses` in turn until one that is not merely a follower answers (a redirect
    /// applies nothing, so the same request may go on to the next node).
    static func put(
        _ cell: String, _ key: String, _ value: String, clientID: UInt64, sequence: UInt64, opensSession: Bool, addresses: [String],
        tls: ClientTLS
    ) async throws -> Colony_V1_PutReply {
        var request = Colony_V1_PutRequest()
        request.header.cell = cell
        request.header.clientID = clientID
        request.header.sequence = sequence
        request.header.opensSession = opensSession
        request.key = key
        request.value = Data(value.utf8)
        let sent = request
        var last = Colony_V1_PutReply()
        for _ in 0..<20 {
            for address in addresses {
                last = try await with(address, tls: tls) { client, _ in try await Colony_V1_PutReply.inBand { try await client.put(sent) } }
                if !(last.hasError && [.notLeader, .unavailable].contains(last.error.code)) { return last }
            }
        }
        return last
    }
}
