import ColonyNode
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A TLS connection opened by a test to a node's port, as a stranger would: with a chosen
/// certificate (or none), trusting a chosen CA. It sends bytes inside TLS and reports
/// whether the node closed the connection.
enum TLSProbe {
    /// What happened to the connection.
    enum Outcome: Equatable {
        /// The node closed it (or the handshake failed) within the time allowed.
        case closedByNode
        /// It was still open when the time ran out.
        case stillOpen
    }

    /// Connects to `address` presenting `identity` (certificate and key; nil for none) and
    /// trusting the CA `trusting`, writes `bytes` once TLS is up (at once if it never comes
    /// up), and waits at most `timeout` for the node to close the connection.
    static func send(
        _ bytes: [UInt8], to address: String, presenting identity: TLSFiles?, trusting authority: String,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Outcome {
        let target = try hostPort(address)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority))
        configuration.certificateVerification = .noHostnameVerification
        if let identity {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(identity.certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: identity.key, format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let outcome = try await exchange(bytes, target: target, context: context, group: group, timeout: timeout)
            try await group.shutdownGracefully()
            return outcome
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
    }

    private static func exchange(
        _ bytes: [UInt8], target: HostPort, context: NIOSSLContext, group: MultiThreadedEventLoopGroup, timeout: TimeAmount
    ) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                }
            }
            .connect(host: target.host, port: target.port)
            .get()
        if !bytes.isEmpty {
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        }
        let outcome = channel.eventLoop.makePromise(of: Outcome.self)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { outcome.succeed(.stillOpen) }
        channel.closeFuture.whenComplete { _ in outcome.succeed(.closedByNode) }
        let result = try await outcome.futureResult.get()
        deadline.cancel()
        try? await channel.close()
        return result
    }

    private static func hostPort(_ address: String) throws -> HostPort {
        guard let target = HostPort(address) else { throw TLSProbeError.notAnAddress(address) }
        return target
    }
}

/// A probe that could not start.
enum TLSProbeError: Error {
    /// Not HOST:PORT.
    case notAnAddress(String)
    /// Nothing listens there.
    case cannotConnect(String)
}
