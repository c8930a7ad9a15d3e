import ColonyAPI
import GRPCCore
import GRPCNIOTransportHTTP2

/// One gRPC connection to one node's client address, running for as long as the client uses it.
final class NodeConnection: Sendable {
    let client: Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>
    /// The node's control service, on the same connection (see `ColonyClient+Control`).
    let control: Colony_V1_ColonyControl.Client<HTTP2ClientTransport.Posix>
    private let grpc: GRPCClient<HTTP2ClientTransport.Posix>
    private let running: Task<Void, any Error>

    /// The gRPC target of `address` (HOST:PORT), or nil if it is not one.
    static func target(_ address: String) -> (any ResolvableTarget)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65_535).contains(port)
        else { return nil }
        let host = String(address[..<colon])
        guard !host.isEmpty else { return nil }
        if host.contains(":") { return .ipv6(address: host, port: port) }
        if host.split(separator: ".").count == 4, host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return .ipv4(address: host, port: port)
        }
        return .dns(host: host, port: port)
    }

    init(address: String, security: HTTP2ClientTransport.Posix.TransportSecurity) throws {
        guard let target = Self.target(address) else {
            throw ColonyError.invalidArgument("\"\(address)\" is not an address; write HOST:PORT")
        }
        let grpc = GRPCClient(transport: try .http2NIOPosix(target: target, transportSecurity: security), interceptors: [CallIDInterceptor()])
        self.grpc = grpc
        client = Colony_V1_Colony.Client(wrapping: grpc)
        control = Colony_V1_ColonyControl.Client(wrapping: grpc)
        running = Task { try await grpc.runConnections() }
    }

    func close() {
        grpc.beginGracefulShutdown()
    }
}
