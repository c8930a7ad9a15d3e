/// One change an admin makes to the policy (`colony auth ...`), decided apart from any IO:
/// the command reads the policy from the directory, applies the change here, and writes the
/// result back only if the directory still holds what it read.
public enum PolicyChange: Hashable, Sendable {
    /// Turns authorization on; refused unless `by` holds the admin role, so the admin who
    /// enables it is not locked out.
    case enable(by: Identity)
    /// Turns authorization off: every certificate may do anything again (but delete a
    /// reserved cell).
    case disable
    /// Defines an empty role.
    case addRole(String)
    /// Adds a grant to a role.
    case grant(role: String, Grant)
    /// Takes a grant from a role.
    case revoke(role: String, Grant)
    /// Binds a client identity to a role (`admin` included).
    case bind(Identity, role: String)
    /// Unbinds a client identity from a role.
    case unbind(Identity, role: String)
    /// Refuses an identity everything, its bindings kept: a client's, or a node's once the
    /// node is out of every cell (`Directory.change` checks that against the directory's
    /// node records, which this pure change cannot see).
    case revokeIdentity(Identity)
    /// Lifts a revocation.
    case reinstate(Identity)
    /// Replaces the whole policy (`colony restore --policy`: a backup's); refused when the new
    /// one is on and `by` would not be an admin in it, so the admin restoring it is not
    /// locked out.
    case replace(with: AuthPolicy, by: Identity)

    /// `policy` with the change made; throws when the change makes no sense (an unknown role,
    /// a grant the role does not hold) or would leave a policy with a problem.
    public func applied(to policy: AuthPolicy) throws(PolicyChangeError) -> AuthPolicy {
        var changed = policy
        switch self {
        case .enable(let identity):
            guard policy.isAdmin(identity) else { throw .notAdmin(identity) }
            changed.enabled = true
        case .disable:
            changed.enabled = false
        case .addRole(let name):
            guard name != AuthPolicy.adminRole, policy.roles[name] == nil else { throw .roleExists(name) }
            changed.roles[name] = []
        case .grant(let role, let grant):
            guard let grants = policy.roles[role] else { throw .unknownRole(role) }
            if !grants.contains(grant) { changed.roles[role] = grants + [grant] }
        case .revoke(let role, let grant):
            guard let grants = policy.roles[role] else { throw .unknownRole(role) }
            guard grants.contains(grant) else { throw .notGranted(role: role, grant) }
            changed.roles[role] = grants.filter { $0 != grant }
        case .bind(let identity, let role):
            guard role == AuthPolicy.adminRole || policy.roles[role] != nil else { throw .unknownRole(role) }
            let bound = policy.roles(of: identity)
            if !bound.contains(role) { changed.bindings[identity.urn] = bound + [role] }
        case .unbind(let identity, let role):
            let bound = policy.roles(of: identity)
            guard bound.contains(role) else { throw .notBound(identity, role: role) }
            let rest = bound.filter { $0 != role }
            changed.bindings[identity.urn] = rest.isEmpty ? nil : rest
        case .revokeIdentity(let identity):
            if !policy.revoked.contains(identity.urn) { changed.revoked = (policy.revoked + [identity.urn]).sorted() }
        case .reinstate(let identity):
            guard policy.revoked.contains(identity.urn) else { throw .notRevoked(identity) }
            changed.revoked = policy.revoked.filter { $0 != identity.urn }
        case .replace(let replacement, let identity):
            guard !replacement.enabled || (replacement.isAdmin(identity) && !replacement.isRevoked(identity)) else {
                throw .replacementLocksOut(identity)
            }
            changed = replacement
        }
        if let problem = changed.problem { throw .wouldBreakPolicy(problem) }
        return changed
    }
}

/// Why a policy change was refused; nothing was written.
public enum PolicyChangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The identity enabling authorization does not hold the admin role.
    case notAdmin(Identity)
    /// The policy replacing the colony's has authorization on and does not make the identity
    /// replacing it an admin (or revokes it).
    case replacementLocksOut(Identity)
    /// The role is defined already (or is the built-in admin).
    case roleExists(String)
    /// The role is not defined.
    case unknownRole(String)
    /// The role does not hold the grant.
    case notGranted(role: String, Grant)
    /// The identity is not bound to the role.
    case notBound(Identity, role: String)
    /// The identity is not revoked.
    case notRevoked(Identity)
    /// The node's identity would be revoked while the directory lists the node in `state`
    /// (active or draining): it may still be a member of cells.
    case nodeInService(UInt32, state: String)
    /// The policy after the change would have this problem.
    case wouldBreakPolicy(String)

    public var description: String {
        switch self {
        case .notAdmin(let identity):
            return "\(identity) does not hold the role \(AuthPolicy.adminRole), so enabling authorization would lock it out: bind it first with `colony auth user bind \(identity.urn) \(AuthPolicy.adminRole)`"
        case .replacementLocksOut(let identity):
            return "the policy to put in place has authorization on and \(identity) is not an admin in it, so the change would lock it out: "
                + "run it with the certificate of one of its admins (`colony auth user list` on the colony it came from names them)"
        case .roleExists(let role):
            return "the role \(role) exists already\(role == AuthPolicy.adminRole ? " (it is built in)" : ""); grant to it with `colony auth role grant \(role) ACCESS CELLS`"
        case .unknownRole(let role):
            return "there is no role \(role); add it with `colony auth role add \(role)` (`colony auth role list` shows the roles)"
        case .notGranted(let role, let grant):
            return "the role \(role) holds no grant \(grant); `colony auth role list` shows its grants"
        case .notBound(let identity, let role):
            return "\(identity) is not bound to the role \(role); `colony auth user list` shows the bindings"
        case .notRevoked(let identity):
            return "\(identity) is not revoked; `colony auth user list` shows the revoked identities"
        case .nodeInService(let node, let state):
            return "node \(node) is \(state) in the directory and may still be a member of cells: revoking its identity would cut it off "
                + "from its peers and clients at once. Drain it first (`colony node drain \(node)`), declare it gone once it holds no replica "
                + "(`colony node gone \(node)`), then revoke it"
        case .wouldBreakPolicy(let problem):
            return "the change is refused: \(problem)"
        }
    }
}
