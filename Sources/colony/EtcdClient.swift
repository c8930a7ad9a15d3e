import ArgumentParser
import ColonyClient
import EtcdAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// etcd's gRPC KV API (KV.Put, KV.Range) as etcd's own `benchmark` tool drives it: a few
/// HTTP/2 connections spread over the members and shared by all the callers, caller `i` on
/// connection `i` mod their count. Reads are linearizable Ranges (`serializable` false).
final class EtcdClient: Sendable {
    /// One HTTP/2 connection to one member, running for as long as the client is used.
    private struct Connection: Sendable {
        let kv: Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix>
        let grpc: GRPCClient<HTTP2ClientTransport.Posix>
        let running: Task<Void, any Error>
    }

    private let connections: [Connection]

    /// Opens `connections` connections to the members at `members` (127.0.0.1:PORT each), in
    /// turn, secured by `tls`.
    init(members: [Int], connections: Int, tls: ClientTLS) throws {
        guard !members.isEmpty, connections > 0 else { throw ValidationError("an etcd client needs members and connections") }
        let security = try tls.transportSecurity()
        self.connections = try (0..<connections).map { index in
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: members[index % members.count]), transportSecurity: security)
            let grpc = GRPCClient(transport: transport)
            return Connection(kv: Etcdserverpb_KV.Client(wrapping: grpc), grpc: grpc, running: Task { try await grpc.runConnections() })
        }
    }

    /// Writes `value` under `key` on the connection of `caller`.
    func put(key: String, value: [UInt8], caller: Int) async throws {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value)
        _ = try await connection(caller).kv.put(request)
    }

    /// Reads `key`, linearizably, on the connection of `caller`.
    func range(key: String, caller: Int) async throws {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        request.serializable = false
        _ = try await connection(caller).kv.range(request)
    }

    /// Closes every connection once its calls have ended.
    func close() async {
        for connection in connections {
            connection.grpc.beginGracefulShutdown()
            _ = await connection.running.result
        }
    }

    private func connection(_ caller: Int) -> Connection {
        connections[caller % connections.count]
    }
}
