import NIOCore
import NIOPosix
import NIOSSL

/// A bare HTTP/1.1 client for the admin endpoint's tests: sends `request` as given (inside
/// TLS when given a context) and returns every byte the server sent until it closed the
/// connection.
enum HTTPProbe {
    static func send(_ request: String, to address: String, tls: NIOSSLContext? = nil) async throws -> String {
        let parts = address.split(separator: ":")
        let bytes = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: String(parts[0]), port: Int(parts[1]) ?? 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            .executeThenClose { inbound, outbound in
                var received: [UInt8] = []
                do {
                    try await outbound.write(ByteBuffer(string: request))
                    for try await buffer in inbound {
                        received += buffer.readableBytesView
                    }
                } catch where tls != nil {
                    // A TLS connection refused at its handshake ends in an error, at the read or,
                    // if the server closed it first, at the write: what came before is the answer.
                }
                return received
            }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// GETs `path` (inside TLS when given a context); returns the status code and the body.
    static func get(
        _ path: String, from address: String, method: String = "GET", tls: NIOSSLContext? = nil
    ) async throws -> (status: Int, body: String) {
        let response = try await send("\(method) \(path) HTTP/1.1\r\nhost: \(address)\r\n\r\n", to: address, tls: tls)
        let status = response.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
