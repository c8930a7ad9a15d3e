import NIOCore
import NIOHPACK
import NIOHTTP2

/// One unary gRPC call on an HTTP/2 stream of its own: writes the request's headers and its
/// length-prefixed message, gathers the reply's message (at most
/// `EtcdConnection.replyBytesMax` bytes) and its status, and completes `reply` once, with
/// the reply's message if the status is OK.
final class EtcdUnaryCall: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let headers: HPACKHeaders
    private let body: ByteBuffer
    private let reply: EventLoopPromise<ByteBuffer>
    private var sent = false
    private var received: ByteBuffer?
    private var status: String?
    private var statusMessage: String?
    private var done = false

    init(headers: HPACKHeaders, body: ByteBuffer, reply: EventLoopPromise<ByteBuffer>) {
        self.headers = headers
        self.body = body
        self.reply = reply
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            if let code = frame.headers.first(name: "grpc-status") {
                status = code
                statusMessage = frame.headers.first(name: "grpc-message")
            }
            if frame.endStream { finish(context) }
        case .data(let frame):
            guard case .byteBuffer(var bytes) = frame.data,
                  (received?.readableBytes ?? 0) + bytes.readableBytes <= EtcdConnection.replyBytesMax
            else {
                fail(context, EtcdCallFailure(description: "a reply past \(EtcdConnection.replyBytesMax) bytes"))
                return
            }
            if received == nil { received = bytes } else { received?.writeBuffer(&bytes) }
            if frame.endStream { finish(context) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, EtcdCallFailure(description: "the stream closed before the call's status"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, error)
    }

    private func send(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: nil)
    }

    /// The stream ended: the reply's message if its status is OK and it holds one
    /// uncompressed message, else why not.
    private func finish(_ context: ChannelHandlerContext) {
        guard status == "0" else {
            fail(context, EtcdCallFailure(description: "gRPC status \(status ?? "missing"): \(statusMessage ?? "")"))
            return
        }
        guard var message = received, message.readInteger(as: UInt8.self) == 0, let length = message.readInteger(as: UInt32.self),
              message.readableBytes == Int(length)
        else {
            fail(context, EtcdCallFailure(description: "a reply that is not one uncompressed length-prefixed message"))
            return
        }
        guard !done else { return }
        done = true
        reply.succeed(message)
        context.close(promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        guard !done else { return }
        done = true
        reply.fail(error)
        context.close(promise: nil)
    }
}

/// Why an etcd call failed, in words.
struct EtcdCallFailure: Error, CustomStringConvertible {
    let description: String
}
