import NIOCore

/// On a listening socket, before anything else sees a new connection: asks the node's
/// `ConnectionBudget` whether it may come in, and closes it at once if not, before any TLS
/// or protocol state is made for it. An admitted connection is counted out when it closes.
/// Connections already open go on being served whatever is refused.
final class ConnectionGate: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel

    private let port: ListeningPort
    private let budget: ConnectionBudget

    init(port: ListeningPort, budget: ConnectionBudget) {
        self.port = port
        self.budget = budget
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let remote = connection.remoteAddress
        guard budget.admit(on: port, from: remote) else {
            connection.close(promise: nil)
            return
        }
        let port = port
        let budget = budget
        connection.closeFuture.whenComplete { _ in budget.release(on: port, from: remote) }
        context.fireChannelRead(data)
    }
}

/// Sent toward the head of a connection's pipeline by the handler that has seen the
/// connection prove itself (a peer's hello, a whole admin request), to end its handshake
/// deadline (see `ConnectionDeadlines`).
struct ConnectionGreeted: Sendable {}
