import NIOCore
import NIOPosix

/// Connections to one loopback port joined to another, bytes copied both ways, as NAT or a
/// container's port mapping joins the address a node is reached at to the one it listens on.
final class PortForwarder: Sendable {
    private let server: any Channel

    /// Forwards connections to 127.0.0.1:`from` to 127.0.0.1:`to`; a connection whose other
    /// end cannot be reached is closed.
    static func start(from: Int, to: Int) async throws -> PortForwarder {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: to).flatMap { outbound in
                    do {
                        try outbound.pipeline.syncOperations.addHandler(Copier(to: inbound))
                        try inbound.pipeline.syncOperations.addHandler(Copier(to: outbound))
                    } catch {
                        outbound.close(promise: nil)
                        return inbound.eventLoop.makeFailedFuture(error)
                    }
                    return inbound.setOption(.autoRead, value: true)
                }
            }
            .bind(host: "127.0.0.1", port: from)
            .get()
        return PortForwarder(server: server)
    }

    private init(server: any Channel) {
        self.server = server
    }

    /// Stops taking connections (those already joined run until either end closes).
    func stop() async {
        try? await server.close()
    }
}

/// Copies what one connection reads to the other, and closes the other when it ends.
private final class Copier: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let partner: any Channel

    init(to partner: any Channel) {
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
