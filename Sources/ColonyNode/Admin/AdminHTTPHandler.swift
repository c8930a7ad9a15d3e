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
    /// Over TLS, what refuses a caller whose certificate's identity is revoked; nil without TLS.
    private let authorizer: Authorizer?
    private let logger: Logger
    private var head: HTTPRequestHead?

    init(routes: AdminRoutes, authorizer: Authorizer?, logger: Logger) {
        self.routes = routes
        self.authorizer = authorizer
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
            if let refused = refusal(of: request, context: context) {
                Self.write(.text(.forbidden, refused + "\n"), isHead: request.method == .HEAD, version: request.version, to: channel)
                return
            }
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

    /// Why `request` is refused (the caller's verified certificate names a revoked identity),
    /// or nil to answer it. Read at each request: a connection serves one request.
    private func refusal(of request: HTTPRequestHead, context: ChannelHandlerContext) -> String? {
        guard let authorizer, let certified = PeerCertificate.identity(in: context.pipeline.syncOperations) else { return nil }
        return authorizer.adminRefusal(certified.authorization, request: "\(request.method) \(request.uri)")
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
