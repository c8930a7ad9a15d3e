/// Where this node binds its listeners when that is not where the colony reaches it: behind
/// NAT, in a container or a pod, a node listens on `0.0.0.0:7101` and is reached at the
/// address its entry in `nodes` advertises.
///
/// ```json
/// "listen": { "peer": "0.0.0.0:7101", "client": "0.0.0.0:7201", "admin": "0.0.0.0:7301" }
/// ```
///
/// Each address is optional and defaults to the node's own entry in `nodes`; `admin` needs
/// that entry's `adminAddress` (the admin endpoint is served only when advertised).
public struct ListenAddresses: Codable, Hashable, Sendable {
    /// HOST:PORT the peer listener binds.
    public var peer: String?
    /// HOST:PORT the client (gRPC) listener binds.
    public var client: String?
    /// HOST:PORT the admin endpoint binds.
    public var admin: String?

    /// Names the addresses to bind; nil keeps the advertised one.
    public init(peer: String? = nil, client: String? = nil, admin: String? = nil) {
        self.peer = peer
        self.client = client
        self.admin = admin
    }
}

extension NodeConfig {
    /// HOST:PORT this node's peer listener binds.
    public var peerListenAddress: String { listen?.peer ?? own.peerAddress }
    /// HOST:PORT this node's client listener binds.
    public var clientListenAddress: String { listen?.client ?? own.clientAddress }
    /// HOST:PORT this node's admin endpoint binds, if it has one.
    public var adminListenAddress: String? { own.adminAddress.map { listen?.admin ?? $0 } }

    /// Checks the `listen` section: addresses that parse, an admin address only beside an
    /// advertised one, and three listeners on three addresses.
    func validateListen() throws(NodeConfigProblem) {
        guard let listen else { return }
        for (field, address) in [("peer", listen.peer), ("client", listen.client), ("admin", listen.admin)] {
            if let address, HostPort(address) == nil {
                throw NodeConfigProblem("\"listen.\(field)\" is \"\(address)\", not an address; write HOST:PORT with a port from 1 to 65535")
            }
        }
        if listen.admin != nil, own.adminAddress == nil {
            throw NodeConfigProblem("\"listen.admin\" is set but this node advertises no \"adminAddress\" in \"nodes\"; add one, or remove \"listen.admin\"")
        }
        let bound = [("peer", peerListenAddress), ("client", clientListenAddress)] + (adminListenAddress.map { [("admin", $0)] } ?? [])
        for (index, (field, address)) in bound.enumerated() {
            if let earlier = bound[..<index].first(where: { $0.1 == address }) {
                throw NodeConfigProblem("this node's \(earlier.0) and \(field) listeners would both bind \(address); give each an address of its own")
            }
        }
    }
}
