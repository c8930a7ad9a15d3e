import ColonyAPI
import struct ColonyCore.RetryBudget
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Tracing

/// A smart client of a colony.
///
/// ```swift
/// let colony = try ColonyClient(
///     nodes: ["127.0.0.1:7201", "127.0.0.1:7202"], tls: .files(ca: "ca.pem", certificate: "client-app.pem", key: "client-app.key"))
/// _ = try await colony.put("volume-17", "attached-to", "i-0abc")
/// let item = try await colony.get("volume-17", "attached-to")
/// ```
///
/// It keeps a discovery cache of each cell's members and leader and goes straight to the
/// leader; it follows redirects, refreshes its cache when a replica says the cell moved on,
/// and retries only what is safe: every request carries an id (this client's session, a
/// per-cell sequence) that stays the same across retries, so a retried write applies once.
/// Retries back off exponentially with full jitter, and a retry budget shared by all calls
/// keeps a sick cell from being stormed.
public actor ColonyClient {
    /// Deadlines and backoff.
    public struct Policy: Sendable {
        /// How long one operation may take, retries included.
        public var deadline: Duration = .seconds(10)
        /// How long one attempt may wait for its answer.
        public var attemptTimeout: Duration = .seconds(3)
        /// The first backoff's cap; each retry doubles it.
        public var backoffBase: Duration = .milliseconds(10)
        /// The largest backoff.
        public var backoffMax: Duration = .seconds(1)
        /// Retries the client may make beyond its successes: each retry spends a token, each
        /// success earns a tenth of one back, up to this many.
        public var retryBudget = 100
        /// The most changes a watch holds that its reader has not taken yet; past it, the
        /// watch stops reading from the node until the reader catches up.
        public var watchBufferChangesMax = 64
        /// Where the spans of the client's operations go, one client span per operation
        /// whose context travels with the request to its cell's nodes; nil (the default)
        /// traces nothing and costs nothing.
        public var tracer: (any Tracer)?

        /// The defaults.
        public init() {}
    }

    struct CellView {
        var members: [String] = []
        var leader: String?
        var epoch: UInt64 = 0
        var sequence: UInt64 = 0
        var sessionOpen = false
    }

    let seeds: [String]
    /// The TLS files, read again when connections are asked for.
    var tls: ClientTLSReload
    let policy: Policy
    let clientID: UInt64
    var views: [String: CellView] = [:]
    /// The connection to each node, opened with the current TLS files.
    private var connections: [String: NodeConnection] = [:]
    /// Connections opened with the TLS files of the generation before the current one: calls
    /// and sessions under way finish on them; they are closed at the next change of files.
    private var retired: [NodeConnection] = []
    var sessions: [String: NodeSession] = [:]
    /// Cells with a write of this client in flight, and the writes waiting behind it.
    var writesWaiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// The retries left to all of this client's operations.
    var budget: RetryBudget

    /// Makes a client that starts from `nodes` (HOST:PORT client addresses of some nodes) and
    /// secures its connections with `tls`; its files are read and checked now, and read again
    /// at most every 2 s as connections are asked for, so that changed files (a rotated
    /// certificate or CA) serve every later connection (`ClientTLSReload`).
    public init(nodes: [String], tls: ClientTLS, policy: Policy = Policy()) throws {
        guard !nodes.isEmpty else { throw ColonyError.invalidArgument("give at least one node address (HOST:PORT)") }
        for node in nodes where NodeConnection.target(node) == nil {
            throw ColonyError.invalidArgument("\"\(node)\" is not an address; write HOST:PORT")
        }
        seeds = nodes
        self.tls = try ClientTLSReload(tls, now: .now)
        self.policy = policy
        budget = RetryBudget(tokensMax: policy.retryBudget)
        clientID = UInt64.random(in: 1...(UInt64.max >> 1))
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func close() {
        for session in sessions.values { session.close() }
        sessions = [:]
        for connection in connections.values { connection.close() }
        connections = [:]
        for connection in retired { connection.close() }
        retired = []
    }

    /// The session with the node at `address`, opened anew if the last one broke.
    func session(_ address: String) throws -> NodeSession {
        if let open = sessions[address], !open.isBroken { return open }
        let opened = NodeSession(client: try connection(address).client)
        sessions[address] = opened
        return opened
    }

    /// The connection to the node at `address`, opened on first use, and opened again with
    /// the new files once the TLS files changed (the old one is retired).
    func connection(_ address: String) throws -> NodeConnection {
        let generation = tls.generation
        tls.refresh(now: .now)
        if tls.generation != generation {
            for connection in retired { connection.close() }
            retired = Array(connections.values)
            connections = [:]
        }
        if let open = connections[address] { return open }
        let opened = try NodeConnection(address: address, security: tls.security)
        connections[address] = opened
        return opened
    }
}
