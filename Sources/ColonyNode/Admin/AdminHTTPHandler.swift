import Logging
import NIOCore
import NIOHTTP1

/// Serves one admin connection: each request is answered by `AdminRoutes`, and the
/// connection closes after the answer. Request bodies are read and dropped, never kept. A
/// request read whole ends the connection's handshake deadline (`ConnectionGreeted`); one
/// trickled in slower is cut by it.
final class AdminHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: AdminRoutes
    private let logger: Logger
    private var head: HTTPRequestHead?

    init(routes: AdminRoutes, logger: Logger) {
        self.routes = routes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            context.triggerUserOutboundEvent(ConnectionGreeted(), promise: nil)
            let channel = context.channel
            let loop = context.eventLoop
            routes.respond(to: request.method, uri: request.uri, accept: request.headers["accept"].first, on: loop).whenComplete { result in
                let response: AdminResponse
                switch result {
                case .success(let answered): response = answered
                case .failure(let error): response = .text(.serviceUnavailable, "cannot read the node's state: \(error)\n")
                }
                Self.write(response, isHead: request.method == .HEAD, version: request.version, to: channel)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing an admin connection: \(error)")
        context.close(promise: nil)
    }

    private static func write(_ response: AdminResponse, isHead: Bool, version: HTTPVersion, to channel: any Channel) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: "\(response.body.count)")
        headers.add(name: "connection", value: "close")
        let head = HTTPResponseHead(version: version, status: response.status, headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if !isHead {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))), promise: nil)
        }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
