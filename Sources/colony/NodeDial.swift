import ColonyClient
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// A dial of the nodes before a command's first call, so that a node that is not there is
/// reported within the dial timeout in plain words ("connection refused"), where the gRPC
/// client would retry it until the command's deadline and then speak of channels in transient
/// failure. With TLS the dial finishes the handshake and closes the connection cleanly, so a
/// node does not log every command's dial as a refused client. With `--plaintext` the dial
/// sends the HTTP/2 greeting: a node that answers it with a TLS alert, or hangs up, runs TLS.
enum NodeDial {
    /// How a dial talks to the node once connected.
    enum Greeting: Sendable {
        /// The HTTP/2 greeting in plaintext, to tell a node that runs TLS.
        case plaintext
        /// A TLS handshake with the client's own certificate, then a clean close.
        case tls(NIOSSLContext)

        /// The greeting for connections secured by `tls`; nil when its files do not make a
        /// TLS context, which the client reports in its own words.
        init?(_ tls: ClientTLS) {
            switch tls {
            case .plaintext:
                self = .plaintext
            case .files(let ca, let certificate, let key):
                var configuration = TLSConfiguration.makeClientConfiguration()
                guard let chain = try? NIOSSLCertificate.fromPEMFile(certificate), let privateKey = try? NIOSSLPrivateKey(file: key, format: .pem),
                      let authority = try? NIOSSLCertificate.fromPEMFile(ca)
                else { return nil }
                configuration.certificateChain = chain.map { .certificate($0) }
                configuration.privateKey = .privateKey(privateKey)
                configuration.trustRoots = .certificates(authority)
                // The dial asks only whether the node takes a handshake; the client checks its name.
                configuration.certificateVerification = .noHostnameVerification
                configuration.applicationProtocols = ["h2"]
                guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
                self = .tls(context)
            }
        }
    }

    /// The HTTP/2 client connection preface (RFC 9113 §3.4).
    static let http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    /// The first byte of a TLS alert record.
    static let tlsAlertRecord: UInt8 = 0x15

    /// The addresses of `addresses` that accept a connection within `timeout`, in order; throws
    /// an `unavailable` failure naming each address and why when none does.
    static func reachable(_ addresses: [String], within timeout: Duration, tls: ClientTLS) async throws -> [String] {
        let greeting = Greeting(tls)
        let problems = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, address) in addresses.enumerated() {
                group.addTask { (index, await problem(dialing: address, within: timeout, greeting: greeting)) }
            }
            var problems = [String?](repeating: nil, count: addresses.count)
            for await (index, problem) in group { problems[index] = problem }
            return problems
        }
        let reachable = zip(addresses, problems).filter { $0.1 == nil }.map(\.0)
        guard reachable.isEmpty else { return reachable }
        let reasons = zip(addresses, problems).map { "cannot reach node at \($0): \($1 ?? "")" }
        throw CommandFailure(.unavailable, reasons.joined(separator: "; "))
    }

    /// Why `address` cannot serve this client, or nil if it accepted the connection (and, in
    /// plaintext, did not answer as a TLS server).
    static func problem(dialing address: String, within timeout: Duration, greeting: Greeting?) async -> String? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65_535).contains(port), colon > address.startIndex
        else { return "\"\(address)\" is not an address; write HOST:PORT" }
        let host = String(address[..<colon])
        let limit = TimeAmount.milliseconds(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(limit)
        switch greeting {
        case .plaintext:
            break
        case .tls(let context):
            return await handshake(host: host, port: port, bootstrap: bootstrap, context: context, limit: limit, timeout: timeout)
        case nil:
            return await handshake(host: host, port: port, bootstrap: bootstrap, context: nil, limit: limit, timeout: timeout)
        }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        } catch {
            return reason(error, timeout: timeout)
        }
        return await answerToPlaintext(channel, within: timeout)
    }

    /// Connects, shakes hands with TLS `context` (none: connects only) and closes; nil once
    /// connected, however the handshake ends (the client reports a refused handshake in its
    /// own words), else why the connection was not made.
    private static func handshake(
        host: String, port: Int, bootstrap: ClientBootstrap, context: NIOSSLContext?, limit: TimeAmount, timeout: Duration
    ) async -> String? {
        let ended = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let context else { return }
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: nil)
                    try channel.pipeline.syncOperations.addHandlers([tls, HandshakeEnd(ended)])
                }
            }.connect(host: host, port: port).get()
        } catch {
            ended.succeed()
            return reason(error, timeout: timeout)
        }
        if context == nil {
            ended.succeed()
        } else {
            // A node that takes the connection and never answers is left at the dial timeout.
            let timer = channel.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
            try? await ended.futureResult.get()
            timer.cancel()
        }
        try? await channel.close()
        return nil
    }

    /// Sends the HTTP/2 greeting and reads the first answer: a TLS alert or a hang-up says
    /// the node expects TLS; anything else, or silence until `timeout`, passes.
    private static func answerToPlaintext(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, within timeout: Duration) async -> String? {
        let expectsTLS = "it hung up on a plaintext HTTP/2 greeting, so it probably runs TLS: leave out --plaintext and give --ca, --cert and --key"
        let answer: Result<UInt8?, any Error> = await withTaskGroup(of: Result<UInt8?, any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(try await firstByte(answering: http2Preface, on: channel))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .success(0)
        }
        switch answer {
        case .success(nil), .failure:
            return expectsTLS
        case .success(tlsAlertRecord?):
            return expectsTLS.replacingOccurrences(of: "it hung up on", with: "it answered with a TLS alert to")
        case .success(_?):
            return nil
        }
    }

    /// Writes `greeting` and returns the first byte of the answer, nil if the other end hangs up first.
    private static func firstByte(answering greeting: String, on channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws -> UInt8? {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: greeting))
            for try await chunk in inbound {
                if let first = chunk.getInteger(at: chunk.readerIndex, as: UInt8.self) { return first }
            }
            return nil
        }
    }

    /// A failed connect in a few plain words.
    private static func reason(_ error: any Error, timeout: Duration) -> String {
        switch error {
        case let connection as NIOConnectionError:
            if connection.dnsAError != nil && connection.dnsAAAAError != nil { return "the host name does not resolve" }
            if let first = connection.connectionErrors.first { return reason(first.error, timeout: timeout) }
            return "\(connection)"
        case let io as IOError:
            return io.errnoCode == ECONNREFUSED ? "connection refused" : "\(io)"
        case ChannelError.connectTimeout:
            return "no answer within the dial timeout (\(Format.rounded(timeout)))"
        default:
            return "\(error)"
        }
    }
}

/// Ends a dial's wait for its TLS handshake: when the handshake completes, fails, or the
/// connection closes, whichever comes first.
private final class HandshakeEnd: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let ended: EventLoopPromise<Void>
    private var isEnded = false

    init(_ ended: EventLoopPromise<Void>) {
        self.ended = ended
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { end(nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(ChannelError.eof)
        context.fireChannelInactive()
    }

    private func end(_ error: (any Error)?) {
        guard !isEnded else { return }
        isEnded = true
        if let error { ended.fail(error) } else { ended.succeed() }
    }
}
