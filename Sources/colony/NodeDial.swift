import NIOCore
import NIOPosix

/// A dial of the nodes before a command's first call, so that a node that is not there is
/// reported within the dial timeout in plain words ("connection refused"), where the gRPC
/// client would retry it until the command's deadline and then speak of channels in transient
/// failure. With `--plaintext` the dial also sends the HTTP/2 greeting: a node that answers it
/// with a TLS alert, or hangs up, runs TLS.
enum NodeDial {
    /// The HTTP/2 client connection preface (RFC 9113 §3.4).
    static let http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    /// The first byte of a TLS alert record.
    static let tlsAlertRecord: UInt8 = 0x15

    /// The addresses of `addresses` that accept a connection within `timeout`, in order; throws
    /// an `unavailable` failure naming each address and why when none does.
    static func reachable(_ addresses: [String], within timeout: Duration, plaintext: Bool) async throws -> [String] {
        let problems = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, address) in addresses.enumerated() {
                group.addTask { (index, await problem(dialing: address, within: timeout, plaintext: plaintext)) }
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
    static func problem(dialing address: String, within timeout: Duration, plaintext: Bool) async -> String? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65_535).contains(port), colon > address.startIndex
        else { return "\"\(address)\" is not an address; write HOST:PORT" }
        let host = String(address[..<colon])
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount.milliseconds(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        } catch {
            return reason(error, timeout: timeout)
        }
        guard plaintext else {
            try? await channel.executeThenClose { _, _ in }
            return nil
        }
        return await answerToPlaintext(channel, within: timeout)
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
