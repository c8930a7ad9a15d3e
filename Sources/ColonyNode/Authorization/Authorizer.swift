import ColonyAPI
import ColonyAuth
import ColonyClient
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Synchronization

/// A node's authorization: the policy it enforces (`EnforcedPolicy`), and the check every RPC
/// makes before anything of the request is executed or persisted.
///
/// The check is `AuthPolicy.decide`, on the identity of the caller's verified certificate:
/// a dictionary lookup of the caller's roles and a scan of their few grants, under a lock
/// held only to copy the policy out. A refusal is counted
/// (`colony_authorization_refusals_total`, by RPC) and written as an audit line; so is every
/// administrative operation that is allowed. Audit lines are written whatever level the
/// node's log is turned down to: an operator who quiets the node's log still needs the trail.
/// Until a node on a new data directory first reads the policy, it refuses clients' calls
/// as UNAVAILABLE (`AuthPolicy.decideBeforeFirstRead`).
final class Authorizer: Sendable {
    private let enforced: Mutex<EnforcedPolicy>
    private let failedReads = Mutex<Int>(0)
    private let metrics: NodeMetrics
    private let audit: Logger
    /// Mechanisms switched off, for tests.
    let defects: Set<AuthorizationDefect>
    /// The client connections open, by identity: a revoked identity's are closed.
    let connections = IdentifiedConnections()
    /// The nodes the policy revokes, for the peer port and the peer links.
    let revokedNodes: RevokedNodes

    /// An authorizer enforcing `initial`, writing its audit lines through `logger` (which
    /// names the node), at `auditLevel` even when `logger`'s level is above it.
    init(initial: EnforcedPolicy, metrics: NodeMetrics, logger: Logger, defects: Set<AuthorizationDefect> = []) {
        enforced = Mutex(initial)
        self.defects = defects
        self.metrics = metrics
        self.audit = Self.auditLogger(logger)
        revokedNodes = RevokedNodes(initial.cached?.policy ?? AuthPolicy())
        if let cached = initial.cached { metrics.policy(cached) }
    }

    /// What the node enforces now.
    var current: EnforcedPolicy {
        enforced.withLock { $0 }
    }

    /// Reads of the policy from the directory that failed since the node started.
    var readFailures: Int {
        failedReads.withLock { $0 }
    }

    /// Counts a read of the policy from the directory that failed; the policy stays as it is.
    func readFailed() {
        failedReads.withLock { $0 += 1 }
        metrics.policyReadFailed()
    }

    /// Takes what a read of the directory came to; returns the policy now enforced if it changed.
    func adopt(_ read: CachedPolicy.Read) -> CachedPolicy? {
        let adopted = enforced.withLock { held -> CachedPolicy? in
            guard let next = held.adopting(read) else { return nil }
            held = .read(next)
            return next
        }
        if let adopted {
            metrics.policy(adopted)
            revokedNodes.adopt(adopted.policy)
            let closed = connections.close(revoked: adopted.policy.revoked)
            if closed > 0 {
                audit.log(level: Self.auditLevel, "audit", metadata: [
                    "operation": "close connections", "outcome": "closed \(closed)", "reason": "identity revoked",
                    "identity": "\(adopted.policy.revoked.prefix(Self.auditKeysMax).joined(separator: ","))",
                ])
            }
        }
        return adopted
    }

    /// The session id the cell keeps for `clientID` sent by `identity` (`SessionNamespace`).
    func session(_ clientID: UInt64, of identity: Identity) -> UInt64 {
        defects.contains(.sessionsUnbound) ? clientID : SessionNamespace.clientID(clientID, of: identity)
    }

    /// The identity the caller's verified certificate names; `anonymous` without one.
    static func identity(of context: ServerContext) -> Identity {
        guard let transport = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
              let certificate = transport.peerCertificate, let identity = CertificateIdentity(certificate: certificate)
        else { return .anonymous }
        return identity.authorization
    }

    /// Decides whether `identity` may do `operation` through `rpc`; returns the refusal, or
    /// nil to go ahead. `request` names the request in the audit line and the refusal, and
    /// `keys` the keys it writes (a directory write's keys say which node or cell it changes).
    func refusal(
        _ identity: Identity, _ operation: AuthOperation, rpc: String, request: String, keys: @autoclosure () -> [String] = []
    ) -> AuthRefusal? {
        let policy = enforced.withLock { $0 }
        switch policy.decide(identity, operation) {
        case .allowed(let allowance):
            if operation.isAdministrative {
                record(identity, operation, rpc: rpc, request: request, keys: keys(), outcome: "allowed", by: "\(allowance)")
            }
            return nil
        case .refused(let refusal):
            return refused(refusal, rpc: rpc, request: request, keys: keys())
        }
    }

    /// Decides each of `operations`, made by one call of `rpc` (a batch, as `CreateCells`);
    /// returns each one's refusal, or nil to go ahead, in order. Each refusal is counted and
    /// written as `refusal(...)` writes it; the administrative operations allowed make one
    /// audit line for the call, saying how many, naming the first few cells and each distinct
    /// allowance that allowed them, not one line each: a million cells created in bulk would
    /// otherwise write a million lines.
    func refusals(_ identity: Identity, _ operations: [AuthOperation], rpc: String, request: String) -> [AuthRefusal?] {
        let policy = enforced.withLock { $0 }
        var allowed: [AuthOperation] = []
        var allowances: [AuthAllowance] = []
        let refusals = operations.map { operation -> AuthRefusal? in
            switch policy.decide(identity, operation) {
            case .allowed(let allowance):
                if operation.isAdministrative {
                    allowed.append(operation)
                    if !allowances.contains(allowance) { allowances.append(allowance) }
                }
                return nil
            case .refused(let refusal):
                return refused(refusal, rpc: rpc, request: request, keys: [])
            }
        }
        if let first = allowed.first {
            var metadata = metadata(identity, cell: first.cell, rpc: rpc, request: request, outcome: "allowed", by: Self.reason(allowing: allowances))
            if allowed.count > 1 {
                let cells = allowed.prefix(Self.auditKeysMax).map { String(($0.cell ?? "-").prefix(Self.auditKeyBytesMax)) }
                metadata["cell"] = "\(cells.joined(separator: ","))\(allowed.count > cells.count ? ",…" : "")"
                metadata["operations"] = "\(allowed.count)"
            }
            audit.log(level: Self.auditLevel, "audit", metadata: metadata)
        }
        return refusals
    }

    /// What an audit line says allowed operations: each of `allowances`, in the order given.
    /// They are distinct, so as many as the grants of the roles bound to one identity at most.
    static func reason(allowing allowances: [AuthAllowance]) -> String {
        allowances.map(\.description).joined(separator: "; ")
    }

    /// Counts `refusal` of `rpc` and writes its audit line, naming `keys`; returns it. Every
    /// refusal of a client call, one or in a batch, is counted and written here.
    private func refused(_ refusal: AuthRefusal, rpc: String, request: String, keys: [String]) -> AuthRefusal {
        metrics.authorizationRefused(rpc: rpc)
        record(refusal.identity, refusal.operation, rpc: rpc, request: request, keys: keys, outcome: "refused", by: refusal.remedy)
        return refusal
    }

    /// Writes the audit line of a request the policy allowed and the node then refused as
    /// invalid (a write to a reserved cell that is not a record the control plane writes:
    /// `ReservedCellWriteCheck`), so that the trail of an administrative write says how it
    /// ended, under the same request id as the line that allowed it.
    func invalid(_ identity: Identity, _ operation: AuthOperation, rpc: String, request: String, keys: [String], problem: String) {
        record(identity, operation, rpc: rpc, request: request, keys: keys, outcome: "invalid", by: String(problem.prefix(Self.auditProblemMax)))
    }

    /// The most characters of a problem an audit line names: it may quote what the client sent.
    static let auditProblemMax = 256

    /// Why the admin endpoint refuses a request `request` (method and path) over TLS whose
    /// verified certificate names `identity`, or nil to answer it. The endpoint is read-only
    /// and consults no roles (any certificate of the colony's CA reads it, as monitoring
    /// does), but an identity the policy revokes is refused there as on the client port:
    /// counted (`colony_authorization_refusals_total{operation="admin"}`) and audited.
    func adminRefusal(_ identity: Identity, request: String) -> String? {
        let revoked = enforced.withLock { $0.cached?.policy.isRevoked(identity) ?? false }
        guard revoked else { return nil }
        metrics.authorizationRefused(rpc: Self.adminRPC)
        let request = String(request.prefix(Self.auditKeyBytesMax))
        audit.log(level: Self.auditLevel, "audit", metadata: metadata(
            identity, cell: nil, rpc: Self.adminRPC, request: request, outcome: "refused", by: AuthRefusal.revokedRemedy(identity)))
        return "\(identity) may not read the admin endpoint: \(AuthRefusal.revokedRemedy(identity))"
    }

    /// How refusals and audit lines name a request to the admin endpoint.
    static let adminRPC = "admin"

    /// `refusal(...)` as the gRPC status of its error (`error(_:rpc:request:)`, carried in the
    /// status's metadata).
    func check(_ identity: Identity, _ operation: AuthOperation, rpc: String, request: String) throws(RPCError) {
        if let refused = refusal(identity, operation, rpc: rpc, request: request) {
            throw Self.error(refused, rpc: rpc, request: request).status
        }
    }

    /// The error a refusal of `rpc` is answered with, saying who may not do what, what would
    /// allow it, and the request's id: `UNAUTHORIZED` (PERMISSION_DENIED), which clients do not
    /// retry; or, from a node that has not read the policy yet, `UNAVAILABLE`, which clients
    /// retry (here or at another node) — the same call may be allowed a moment later.
    static func error(_ refusal: AuthRefusal, rpc: String, request: String) -> Colony_V1_Error {
        guard refusal.isRetryable else { return APIMapping.error(.unauthorized, message(refusal, rpc: rpc, request: request)) }
        var error = APIMapping.error(.unavailable, message(refusal, rpc: rpc, request: request))
        error.retryAfterMs = retryAfterUnreadMs
        return error
    }

    /// How long a client is asked to wait before asking again a node that has not read the
    /// policy yet: a node reads it at start and every `policyRefreshInterval` (2 s) after.
    static let retryAfterUnreadMs: UInt32 = 200

    /// The name of a call that carries no request header, for its audit line and refusal: the
    /// `CallID` its client sent (`CallIDReader`), or one made here (`call-` and hex digits).
    static func callName() -> String {
        CallIDReader.current ?? CallID.make(prefix: "call-")
    }

    /// The words of a refusal of `rpc`.
    static func message(_ refusal: AuthRefusal, rpc: String, request: String) -> String {
        "\(rpc) refused (request \(request)): \(refusal)"
    }

    /// Writes one audit line: who did what to which cell on this node, and how it ended.
    private func record(
        _ identity: Identity, _ operation: AuthOperation, rpc: String, request: String, keys: [String], outcome: String, by: String
    ) {
        var metadata = metadata(identity, cell: operation.cell, rpc: rpc, request: request, outcome: outcome, by: by)
        if !keys.isEmpty {
            // A bounded list: a transaction holds many steps, a line needs only a few to be found.
            metadata["keys"] = "\(keys.prefix(Self.auditKeysMax).map { String($0.prefix(Self.auditKeyBytesMax)) }.joined(separator: ","))"
        }
        audit.log(level: Self.auditLevel, "audit", metadata: metadata)
    }

    /// What every audit line says: who did what to which cell (nil: none), and how it ended.
    private func metadata(
        _ identity: Identity, cell: String?, rpc: String, request: String, outcome: String, by: String
    ) -> Logger.Metadata {
        [
            "identity": "\(identity.urn)", "operation": "\(rpc)", "cell": "\(cell ?? "-")",
            "outcome": "\(outcome)", "request": "\(request)", "reason": "\(by)",
        ]
    }

    /// The level of audit lines.
    static let auditLevel = Logger.Level.notice

    /// `logger` for audit lines: marked `log=audit`, and letting lines of `auditLevel` through
    /// whatever level the node's log is set to (`--log-level warning` drops the node's other
    /// notices, never these). The node's log handlers are values (`StreamLogHandler`,
    /// `JSONLogHandler`): the copy's level is its own, and the node's other lines keep theirs.
    static func auditLogger(_ logger: Logger) -> Logger {
        var audit = logger
        audit[metadataKey: "log"] = "audit"
        audit.logLevel = min(logger.logLevel, auditLevel)
        return audit
    }

    /// The most keys of one request an audit line names.
    static let auditKeysMax = 8
    /// The most bytes of one key an audit line shows.
    static let auditKeyBytesMax = 128
}
