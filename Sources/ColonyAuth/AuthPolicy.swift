/// Who may do what in a colony: roles (named sets of grants), the roles bound to each
/// identity, and whether authorization is on. Kept in the directory as one record
/// (`auth/policy`) and cached by every node, which decides each request with `decide`.
///
/// The role `admin` is built in: it allows every operation of the control plane and of
/// maintenance (directory writes, cell creation and deletion, membership changes, leadership
/// transfers, forced heals) and every cell operation. Node identities hold a built-in role of
/// their own (`AuthDecision`) and are never bound. Every other identity holds the union of
/// its roles' grants, and nothing else: once enabled, what no grant allows is refused.
///
/// Revoked identities (`revoked`) are refused everything, whether authorization is on or
/// off: a certificate that leaked stops working within one refresh of every node, without
/// waiting for it to expire. A node's identity may be revoked too (a retired node's leaked
/// certificate): its client calls are refused and no node's peer port admits it.
///
/// A colony whose directory holds no policy, or a policy not enabled, runs as before this
/// existed: every certificate the CA issued may do anything (but delete a reserved cell).
public struct AuthPolicy: Codable, Hashable, Sendable {
    /// The built-in role of the control plane and the operators.
    public static let adminRole = "admin"
    /// The most roles a policy defines.
    public static let rolesMax = 256
    /// The most grants one role holds.
    public static let grantsPerRoleMax = 64
    /// The most identities a policy binds.
    public static let bindingsMax = 4_096
    /// The most roles bound to one identity.
    public static let rolesPerIdentityMax = 16
    /// The most identities revoked at once.
    public static let revokedMax = 4_096
    /// The longest role name, in bytes.
    public static let roleNameBytesMax = 64

    /// Whether requests are checked; false, every certificate may do anything.
    public var enabled: Bool
    /// The roles by name (`admin` is built in and not listed), each with its grants.
    public var roles: [String: [Grant]]
    /// The roles bound to each identity, by the identity's URN.
    public var bindings: [String: [String]]
    /// The identities (clients', and retired nodes') refused everything, by URN, in order.
    public var revoked: [String]

    /// A policy; the default is empty and not enabled.
    public init(enabled: Bool = false, roles: [String: [Grant]] = [:], bindings: [String: [String]] = [:], revoked: [String] = []) {
        self.enabled = enabled
        self.revoked = revoked
        self.roles = roles
        self.bindings = bindings
    }

    /// The roles bound to `identity`.
    public func roles(of identity: Identity) -> [String] {
        bindings[identity.urn] ?? []
    }

    /// Whether `identity` holds the admin role.
    public func isAdmin(_ identity: Identity) -> Bool {
        roles(of: identity).contains(Self.adminRole)
    }

    /// Whether `identity` is revoked.
    public func isRevoked(_ identity: Identity) -> Bool {
        !revoked.isEmpty && revoked.contains(identity.urn)
    }

    /// The ids of the nodes whose identities are revoked.
    public var revokedNodes: Set<UInt32> {
        Set(revoked.compactMap { urn in
            guard case .node(let id)? = Identity(urn: urn) else { return nil }
            return id
        })
    }

    /// The identities bound to the admin role and not revoked, by URN, in order.
    public var admins: [String] {
        bindings.filter { $0.value.contains(Self.adminRole) && !revoked.contains($0.key) }.keys.sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case enabled, roles, bindings, revoked
    }

    /// Decodes a policy; one written before revocation existed has no `revoked`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.decode(Bool.self, forKey: .enabled)
        roles = try container.decode([String: [Grant]].self, forKey: .roles)
        bindings = try container.decode([String: [String]].self, forKey: .bindings)
        revoked = try container.decodeIfPresent([String].self, forKey: .revoked) ?? []
    }

    /// What is wrong with the policy, or nil: a policy read with a problem is refused whole.
    public var problem: String? {
        if roles.count > Self.rolesMax { return "\(roles.count) roles; a policy holds at most \(Self.rolesMax)" }
        if bindings.count > Self.bindingsMax { return "\(bindings.count) identities bound; a policy binds at most \(Self.bindingsMax)" }
        for (name, grants) in roles.sorted(by: { $0.key < $1.key }) {
            if name == Self.adminRole { return "the role \(Self.adminRole) is built in and cannot be defined" }
            if !Self.isValidRoleName(name) { return "the role name \"\(name)\" must be 1 to \(Self.roleNameBytesMax) letters, digits, dots, dashes or underscores" }
            if grants.count > Self.grantsPerRoleMax { return "role \(name) holds \(grants.count) grants; a role holds at most \(Self.grantsPerRoleMax)" }
        }
        for (urn, bound) in bindings.sorted(by: { $0.key < $1.key }) {
            switch Identity(urn: urn) {
            case .client?: break
            case .node?: return "\(urn) is a node; nodes hold their own role and are not bound"
            case .anonymous?, nil: return "\"\(urn)\" is not a client identity (urn:colony:client:NAME)"
            }
            if bound.count > Self.rolesPerIdentityMax { return "\(urn) is bound to \(bound.count) roles; at most \(Self.rolesPerIdentityMax)" }
            if let unknown = bound.first(where: { $0 != Self.adminRole && roles[$0] == nil }) {
                return "\(urn) is bound to the role \(unknown), which the policy does not define"
            }
        }
        if revoked.count > Self.revokedMax { return "\(revoked.count) identities revoked; at most \(Self.revokedMax)" }
        for urn in revoked {
            switch Identity(urn: urn) {
            case .client?, .node?: break
            case .anonymous?, nil: return "\"\(urn)\" is revoked but is not a client's or a node's identity (urn:colony:client:NAME, urn:colony:node:ID)"
            }
        }
        if enabled && admins.isEmpty {
            return "authorization is on and no identity holds the role \(Self.adminRole): nobody could change the policy again"
        }
        return nil
    }

    /// Whether `name` can name a role: 1 to 64 ASCII letters, digits, dots, dashes or underscores.
    public static func isValidRoleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= roleNameBytesMax
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }
}
