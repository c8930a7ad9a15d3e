import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing
@testable import colony

/// The benchmark's etcd call on one HTTP/2 stream: what it sends, and what it takes from the
/// stream as the reply (etcd's reply is untrusted like any peer's).
@Suite("colony bench load: one etcd gRPC call on its stream")
struct EtcdUnaryCallTests {
    /// A call's stream, opened, its request read off, and the call's outcome.
    private struct Stream {
        let channel = EmbeddedChannel()
        let reply: EventLoopPromise<ByteBuffer>
        var sent: [HTTP2Frame.FramePayload] = []

        init() throws {
            reply = channel.eventLoop.makePromise()
            let headers: HPACKHeaders = [":method": "POST", ":path": "/etcdserverpb.KV/Put", "content-type": "application/grpc"]
            try channel.pipeline.syncOperations.addHandler(EtcdUnaryCall(headers: headers, body: ByteBuffer(bytes: [0, 0, 0, 0, 2, 7, 8]), reply: reply))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) { sent.append(frame) }
        }

        func receive(_ frames: HTTP2Frame.FramePayload...) throws {
            for frame in frames { try channel.writeInbound(frame) }
        }

        /// The reply's message, or the failure's words.
        func outcome() async -> Outcome {
            do {
                var message = try await reply.futureResult.get()
                return .success(message.readBytes(length: message.readableBytes) ?? [])
            } catch {
                return .failure("\(error)")
            }
        }
    }

    /// How a call ended.
    private enum Outcome: Equatable {
        case success([UInt8])
        case failure(String)
    }

    private static let responseHeaders = HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200", "content-type": "application/grpc"]))

    private static func data(_ bytes: [UInt8], endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)), endStream: endStream))
    }

    private static func trailers(_ status: String, message: String? = nil) -> HTTP2Frame.FramePayload {
        var headers: HPACKHeaders = ["grpc-status": status]
        if let message { headers.add(name: "grpc-message", value: message) }
        return .headers(.init(headers: headers, endStream: true))
    }

    @Test("it sends the request's headers, then its message with the end of the stream; an OK reply gives the message")
    func answered() async throws {
        let stream = try Stream()
        #expect(stream.sent.count == 2)
        guard case .headers(let headers) = stream.sent.first, case .data(let body) = stream.sent.last else {
            Issue.record("sent \(stream.sent)")
            return
        }
        #expect(headers.headers.first(name: ":path") == "/etcdserverpb.KV/Put" && !headers.endStream)
        #expect(body.endStream && body.data == .byteBuffer(ByteBuffer(bytes: [0, 0, 0, 0, 2, 7, 8])))
        // A message may come in several DATA frames.
        try stream.receive(Self.responseHeaders, Self.data([0, 0, 0, 0, 3, 1]), Self.data([2, 3]), Self.trailers("0"))
        #expect(await stream.outcome() == .success([1, 2, 3]))
    }

    @Test("a status other than OK, trailers-only or after a message, fails the call with the status")
    func refused() async throws {
        let trailersOnly = try Stream()
        try trailersOnly.receive(.headers(.init(headers: [":status": "200", "grpc-status": "14", "grpc-message": "leader changed"], endStream: true)))
        #expect(await trailersOnly.outcome() == .failure("gRPC status 14: leader changed"))

        let afterMessage = try Stream()
        try afterMessage.receive(Self.responseHeaders, Self.data([0, 0, 0, 0, 0]), Self.trailers("8", message: "too many requests"))
        #expect(await afterMessage.outcome() == .failure("gRPC status 8: too many requests"))

        let noStatus = try Stream()
        try noStatus.receive(Self.responseHeaders, Self.data([0, 0, 0, 0, 0], endStream: true))
        #expect(await noStatus.outcome() == .failure("gRPC status missing: "))
    }

    @Test("a reply that is not one uncompressed length-prefixed message, or too big, fails the call")
    func malformed() async throws {
        for bytes: [UInt8] in [[1, 0, 0, 0, 1, 9], [0, 0, 0, 0, 9, 1, 2], [0, 0, 0, 0, 1, 1, 2], [0, 0, 0], []] {
            let stream = try Stream()
            try stream.receive(Self.responseHeaders, Self.data(bytes), Self.trailers("0"))
            #expect(await stream.outcome() == .failure("a reply that is not one uncompressed length-prefixed message"), "\(bytes)")
        }
        let tooBig = try Stream()
        try tooBig.receive(Self.responseHeaders, Self.data([0, 0, 0x40, 0, 0]), Self.data([UInt8](repeating: 1, count: EtcdConnection.replyBytesMax)))
        #expect(await tooBig.outcome() == .failure("a reply past \(EtcdConnection.replyBytesMax) bytes"))
        #expect(!tooBig.channel.isActive)
    }

    @Test("a stream that closes before the call's status fails the call")
    func closedEarly() async throws {
        let stream = try Stream()
        try stream.receive(Self.responseHeaders, Self.data([0, 0, 0, 0, 1, 1]))
        try await stream.channel.close()
        #expect(await stream.outcome() == .failure("the stream closed before the call's status"))
    }
}
