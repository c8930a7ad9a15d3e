/// What the policy says of one request: allowed, and by what, or refused, and why.
public enum AuthDecision: Hashable, Sendable {
    /// The request may go ahead.
    case allowed(AuthAllowance)
    /// The request is refused; nothing of it may be executed or persisted.
    case refused(AuthRefusal)
}

/// What allowed a request.
public enum AuthAllowance: Hashable, Sendable, CustomStringConvertible {
    /// Authorization is off: every certificate may do anything.
    case authorizationOff
    /// The caller holds the admin role.
    case admin
    /// The caller is a node, reading what nodes read.
    case node
    /// The caller is a client, reading what every client may read (the policy).
    case client
    /// A grant of one of the caller's roles.
    case grant(role: String, Grant)

    public var description: String {
        switch self {
        case .authorizationOff: return "authorization off"
        case .admin: return "role \(AuthPolicy.adminRole)"
        case .node: return "role node"
        case .client: return "any client"
        case .grant(let role, let grant): return "role \(role) (\(grant))"
        }
    }
}

/// Why a request was refused, in words that name the caller, the operation and the cell,
/// and say what would allow it.
public struct AuthRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why, and what would allow the operation.
    public enum Reason: Hashable, Sendable {
        /// A reserved cell (the directory, the colony's own cells) is never deleted.
        case reservedCellNeverDeleted
        /// The caller presented no certificate.
        case anonymous
        /// The caller's identity is revoked.
        case revoked
        /// The caller is a node; nodes read the reserved cells and nothing else.
        case nodeLimited
        /// Only the admin role allows this.
        case needsAdmin
        /// A grant of `access` covering the cell (and the keys, when the operation names
        /// some) would allow it.
        case needsGrant(Access)
        /// The node has not read the colony's policy yet (it kept none and the directory has
        /// not answered since it started): asked again shortly, the node decides by the policy.
        case policyUnread
    }

    /// Who asked.
    public var identity: Identity
    /// What was asked.
    public var operation: AuthOperation
    /// Why it was refused.
    public var reason: Reason

    /// Makes a refusal.
    public init(identity: Identity, operation: AuthOperation, reason: Reason) {
        self.identity = identity
        self.operation = operation
        self.reason = reason
    }

    /// The grant that would allow the operation, in words.
    public var remedy: String {
        switch reason {
        case .reservedCellNeverDeleted:
            return "nothing allows it: the colony's own cells (names starting with _) are never deleted, by anyone"
        case .anonymous:
            return "connect with a certificate issued by the colony's CA (`colony certs client NAME`) and bound to a role"
        case .revoked:
            return Self.revokedRemedy(identity)
        case .nodeLimited:
            return "nodes may only read the colony's own cells; run this with a client certificate bound to a role"
        case .needsAdmin:
            return "it needs the role \(AuthPolicy.adminRole): `colony auth user bind \(identity.urn) \(AuthPolicy.adminRole)`"
        case .needsGrant(let access):
            let cell = operation.cell ?? "the cell"
            let scoped = operation.keys.map { $0 != .every } ?? false
            let keys = operation.keys.map { $0 == .every ? ", on every key" : ", on a key prefix covering \($0)" } ?? ""
            return "it needs a role granting \(access.rawValue) (or read-write) on \(cell) or a prefix of it\(keys): `colony auth role grant ROLE \(access.rawValue) \(cell)\(scoped ? " [--keys 'PREFIX*']" : "")` and `colony auth user bind \(identity.urn) ROLE`"
        case .policyUnread:
            return "\(Self.policyUnread); ask again shortly, or ask another node"
        }
    }

    /// What undoes the revocation of `identity`, in words.
    public static func revokedRemedy(_ identity: Identity) -> String {
        "the identity is revoked; an admin reinstates it with `colony auth user reinstate \(identity.urn)`, or issue the client a certificate of another name"
    }

    /// Whether asking again may be allowed with nothing changed by an admin: the node had not
    /// read the policy yet. Such a refusal is answered as UNAVAILABLE, which clients retry.
    public var isRetryable: Bool {
        reason == .policyUnread
    }

    /// What a node that has not read the colony's policy yet says of itself.
    public static let policyUnread = "this node has not yet read the colony's authorization policy"

    public var description: String {
        "\(identity) may not \(operation): \(remedy)"
    }
}

extension AuthPolicy {
    /// Whether `identity` may do `operation` under this policy.
    ///
    /// The rules, in order: a reserved cell is never deleted (even with authorization off); a
    /// revoked identity may do nothing (even with authorization off); with authorization off
    /// everything else is allowed; a node may read the reserved cells
    /// (the directory, for this policy) and nothing else; the admin role allows everything; a
    /// client may read the policy; an application identity's roles allow reads and writes of
    /// the cells their grants cover, and reading the directory's record of such a cell (to
    /// find its members); everything else is refused.
    public func decide(_ identity: Identity, _ operation: AuthOperation) -> AuthDecision {
        if let refused = Self.reservedCellDeletion(identity, operation) { return refused }
        if isRevoked(identity) {
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .revoked))
        }
        guard enabled else { return .allowed(.authorizationOff) }
        switch identity {
        case .anonymous:
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .anonymous))
        case .node:
            return Self.decideForNode(identity, operation)
        case .client:
            // The caller's roles are looked up once: this runs for every request.
            let bound = bindings[identity.urn] ?? []
            if bound.contains(Self.adminRole) { return .allowed(.admin) }
            return decideByGrants(identity, roles: bound, operation)
        }
    }

    /// Whether `identity` may do `operation` on a node that has no policy to decide by: it kept
    /// none on disk and has had no answer from the directory since it started (a node on a new
    /// data directory). Until then it cannot tell a colony that turned authorization on from
    /// one that never did, so it allows only what the first answer needs — a node reading
    /// what nodes read (the directory, through which every node reads the policy) — and
    /// refuses everything else as `policyUnread`, which clients retry. Reserved cells are
    /// never deleted, as under any policy.
    public static func decideBeforeFirstRead(_ identity: Identity, _ operation: AuthOperation) -> AuthDecision {
        if let refused = reservedCellDeletion(identity, operation) { return refused }
        if case .node = identity, case .allowed(let allowance) = decideForNode(identity, operation) {
            return .allowed(allowance)
        }
        return .refused(AuthRefusal(identity: identity, operation: operation, reason: .policyUnread))
    }

    /// The refusal of deleting a reserved cell, by anyone under any policy; nil for any other operation.
    private static func reservedCellDeletion(_ identity: Identity, _ operation: AuthOperation) -> AuthDecision? {
        guard case .deleteCell(let cell) = operation, Reserved.isReserved(cell) else { return nil }
        return .refused(AuthRefusal(identity: identity, operation: operation, reason: .reservedCellNeverDeleted))
    }

    private static func decideForNode(_ identity: Identity, _ operation: AuthOperation) -> AuthDecision {
        switch operation {
        case .read(let cell, _) where Reserved.isReserved(cell):
            return .allowed(.node)
        case .discoveryHint, .readPolicy:
            return .allowed(.node)
        case .read, .write, .createCell, .deleteCell, .restoreCell, .listCells, .changeMembership, .transferLeadership, .forceHeal:
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .nodeLimited))
        }
    }

    private func decideByGrants(_ identity: Identity, roles bound: [String], _ operation: AuthOperation) -> AuthDecision {
        let needed: Access
        let cell: String
        let keys: KeyScope
        switch operation {
        case .read(let name, let scope): (needed, cell, keys) = (.read, name, scope)
        case .write(let name, let scope): (needed, cell, keys) = (.write, name, scope)
        case .discoveryHint(let name):
            // Any grant on the cell, on any of its keys, lets its holder find the cell's members.
            if let allowance = grant(of: bound, covering: name, where: { _ in true }) { return .allowed(allowance) }
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .needsGrant(.read)))
        case .readPolicy:
            return .allowed(.client)
        case .createCell, .deleteCell, .restoreCell, .listCells, .changeMembership, .transferLeadership, .forceHeal:
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .needsAdmin))
        }
        if Reserved.isReserved(cell) {
            return .refused(AuthRefusal(identity: identity, operation: operation, reason: .needsAdmin))
        }
        if let allowance = grant(of: bound, allowing: needed, on: cell, keys: keys) { return .allowed(allowance) }
        return .refused(AuthRefusal(identity: identity, operation: operation, reason: .needsGrant(needed)))
    }

    /// The grant of the roles `bound` that allows `needed` on `keys` of `cell`: the first that
    /// covers them all or, for a transaction's keys, one for each key (the first key's named).
    private func grant(of bound: [String], allowing needed: Access, on cell: String, keys: KeyScope) -> AuthAllowance? {
        if let whole = grant(of: bound, covering: cell, where: { $0.access.covers(needed) && $0.covers(keys) }) { return whole }
        guard case .keys(let named) = keys, named.count > 1 else { return nil }
        var first: AuthAllowance?
        for key in named {
            guard let each = grant(of: bound, covering: cell, where: { $0.access.covers(needed) && $0.covers(.key(key)) }) else { return nil }
            first = first ?? each
        }
        return first
    }

    /// The first grant of the roles `bound`, in order, that covers `cell` and that `accepts`.
    private func grant(of bound: [String], covering cell: String, where accepts: (Grant) -> Bool) -> AuthAllowance? {
        for role in bound {
            for grant in roles[role] ?? [] where grant.cells.covers(cell) && accepts(grant) {
                return .grant(role: role, grant)
            }
        }
        return nil
    }
}
