import ArgumentParser
import ColonyClient
import EtcdAPI
import Foundation
import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL
import SwiftProtobuf

/// etcd's gRPC KV API (KV.Put, KV.Range) as etcd's own `benchmark` tool drives it: a few
/// HTTP/2 connections spread over the members and shared by all the callers, caller `i` on
/// connection `i` mod their count. Reads are linearizable Ranges (`serializable` false).
///
/// The calls are unary gRPC over swift-nio-http2 directly, with the messages and method
/// names generated in EtcdAPI, not over grpc-swift's transport: without TLS etcd serves gRPC
/// with grpc-go's own HTTP/2 server, which sends a flow-control (BDP) PING for nearly every
/// request, and grpc-swift's transport (which takes no setting for it) closes a connection
/// past 200 PINGs in 30 s, failing the calls in flight every 200 or so requests. These
/// connections take the PINGs as etcd's Go client does.
final class EtcdClient: Sendable {
    private let connections: [EtcdConnection]

    private init(connections: [EtcdConnection]) {
        self.connections = connections
    }

    /// Opens `connections` connections to the members listening on 127.0.0.1 at the ports
    /// `members`, in turn, secured by `tls`.
    static func connect(members: [Int], connections: Int, tls: ClientTLS) async throws -> EtcdClient {
        guard !members.isEmpty, connections > 0 else { throw ValidationError("an etcd client needs members and connections") }
        let context = try tlsContext(tls)
        var opened: [EtcdConnection] = []
        do {
            for index in 0..<connections {
                opened.append(try await EtcdConnection.connect(port: members[index % members.count], tls: context))
            }
        } catch {
            for connection in opened { await connection.close() }
            throw error
        }
        return EtcdClient(connections: opened)
    }

    /// Writes `value` under `key` on the connection of `caller`.
    func put(key: String, value: [UInt8], caller: Int) async throws {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value)
        let _: Etcdserverpb_PutResponse = try await connection(caller).call(Etcdserverpb_KV.Method.Put.descriptor, request)
    }

    /// Reads `key`, linearizably, on the connection of `caller`.
    func range(key: String, caller: Int) async throws {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        request.serializable = false
        let _: Etcdserverpb_RangeResponse = try await connection(caller).call(Etcdserverpb_KV.Method.Range.descriptor, request)
    }

    /// Closes every connection.
    func close() async {
        for connection in connections { await connection.close() }
    }

    private func connection(_ caller: Int) -> EtcdConnection {
        connections[caller % connections.count]
    }

    /// The TLS context of `tls`: this client's certificate, the CA the members' certificates
    /// must chain to, and HTTP/2 by ALPN; nil for plaintext.
    private static func tlsContext(_ tls: ClientTLS) throws -> NIOSSLContext? {
        guard case .files(let ca, let certificate, let key) = tls else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        configuration.certificateVerification = .fullVerification
        configuration.applicationProtocols = ["h2"]
        return try NIOSSLContext(configuration: configuration)
    }
}

/// One HTTP/2 connection to one etcd member, carrying unary gRPC calls, each on a stream
/// of its own.
final class EtcdConnection: Sendable {
    /// The most bytes of a reply taken.
    static let replyBytesMax = 4 << 20

    private let channel: any Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    /// The pseudo-headers of every call but its path: scheme and authority.
    private let scheme: String
    private let authority: String

    private init(channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, scheme: String, authority: String) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.scheme = scheme
        self.authority = authority
    }

    /// Connects to 127.0.0.1:`port`, through TLS with `tls` if given.
    static func connect(port: Int, tls: NIOSSLContext?) async throws -> EtcdConnection {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        // etcd's gRPC server PINGs to size its flow-control window, about once a request: they
        // are answered, and the connection is closed only past 200 in a millisecond, not
        // NIO's default 200 in 30 s (a flood, not a server at work).
        connection.controlFrameRateLimit.windowLength = .milliseconds(1)
        let configuration = NIOHTTP2Handler.Configuration(connection: connection, stream: .init())
        let (channel, multiplexer) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil))
                    }
                    let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: configuration.connection, streamConfiguration: configuration.stream
                    ) { stream in
                        // etcd opens no stream of its own.
                        stream.close()
                    }
                    return (channel, multiplexer)
                }
            }
        return EtcdConnection(channel: channel, multiplexer: multiplexer, scheme: tls == nil ? "http" : "https", authority: "127.0.0.1:\(port)")
    }

    /// Calls `method` with `request` and returns its reply; throws the call's gRPC status if
    /// it is not OK, or why the stream ended without one.
    func call<Reply: SwiftProtobuf.Message>(_ method: MethodDescriptor, _ request: some SwiftProtobuf.Message) async throws -> Reply {
        let message: [UInt8] = try request.serializedBytes()
        var framed = channel.allocator.buffer(capacity: 5 + message.count)
        framed.writeInteger(UInt8(0))
        framed.writeInteger(UInt32(message.count))
        framed.writeBytes(message)
        let body = framed
        let headers: HPACKHeaders = [
            ":method": "POST", ":scheme": scheme, ":path": "/\(method.fullyQualifiedMethod)", ":authority": authority, "content-type": "application/grpc", "te": "trailers",
        ]
        let reply = channel.eventLoop.makePromise(of: ByteBuffer.self)
        multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(EtcdUnaryCall(headers: headers, body: body, reply: reply))
            }
        }.whenFailure { reply.fail($0) }
        var buffer = try await reply.futureResult.get()
        return try Reply(serializedBytes: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }
}
