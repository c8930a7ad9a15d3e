import NIOCore
import NIOTLS

/// On each accepted connection: closes it when it has not proved itself within the port's
/// `handshakeTimeout`, or when an `IdleStateHandler` before it reports it idle. Each closing
/// is counted and logged through the node's `ConnectionBudget`.
///
/// What proves a connection depends on the port: the TLS handshake completing (the client
/// port), or a later handler sending `ConnectionGreeted` toward the head (a peer's accepted
/// hello, an admin request read whole).
///
/// States: `waiting` for the connection to be active; `counting` down to the deadline once it
/// is; `greeted` once it proved itself (only idleness closes it then); `closed`.
final class ConnectionDeadlines: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    /// What proves a connection on this port.
    enum Greeting {
        /// The TLS handshake completing.
        case tlsHandshake
        /// A later handler sending `ConnectionGreeted`.
        case announced
    }

    private enum State {
        case waiting
        case counting(Scheduled<Void>)
        case greeted
        case closed
    }

    private let port: ListeningPort
    private let greeting: Greeting
    private let handshakeTimeout: TimeAmount
    private let budget: ConnectionBudget
    private var state = State.waiting

    init(port: ListeningPort, greeting: Greeting, handshakeTimeout: TimeAmount, budget: ConnectionBudget) {
        self.port = port
        self.greeting = greeting
        self.handshakeTimeout = handshakeTimeout
        self.budget = budget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startCounting(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startCounting(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(.closed)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        settle(.closed)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if greeting == .tlsHandshake, let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            settle(.greeted)
        }
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            close(context, because: .idleTimedOut)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ConnectionGreeted else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        settle(.greeted)
        promise?.succeed()
    }

    private func startCounting(_ context: ChannelHandlerContext) {
        guard case .waiting = state else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        state = .counting(context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (deadlines, context) = loopBound.value
            deadlines.close(context, because: .handshakeTimedOut)
        })
    }

    /// Leaves the countdown for `next`; a greeted or closed connection stays so.
    private func settle(_ next: State) {
        switch state {
        case .waiting:
            state = next
        case .counting(let deadline):
            deadline.cancel()
            state = next
        case .greeted:
            if case .closed = next { state = .closed }
        case .closed:
            break
        }
    }

    private func close(_ context: ChannelHandlerContext, because event: ConnectionEvent) {
        if case .closed = state { return }
        settle(.closed)
        budget.closed(on: port, because: event, remote: context.remoteAddress)
        context.close(promise: nil)
    }
}
