import ColonyAuth
import ColonyPlacement

/// Whether a policy may revoke node identities: only those of nodes out of service. Revoking
/// the identity of a node that still serves cuts it off from its peers and its clients at once
/// (every peer port refuses it, and the policy and peer book it reads through the other nodes'
/// client ports are refused to it), so its replicas would be lost without the control plane
/// having re-placed them: an operator drains the node and declares it gone first. The other
/// way round, a revoked node is never recorded active or draining: `colony node join` refuses
/// it, and so does every node's check of directory writes (ColonyNode's `ReservedCellWriteCheck`).
/// Revoking an id the directory holds no record of stays allowed: a leaked certificate may be
/// revoked before anyone uses it.
public enum NodeRevocationCheck {
    /// The nodes whose identities `after` revokes and `before` did not.
    public static func revoking(from before: AuthPolicy, to after: AuthPolicy) -> Set<UInt32> {
        after.revokedNodes.subtracting(before.revokedNodes)
    }

    /// The refusal of revoking the identities of the nodes `revoking`, when the directory's
    /// records `nodes` list one of them as active or draining; nil when each is gone or has
    /// no record.
    public static func refusal(revoking: Set<UInt32>, nodes: [NodeRecord]) -> PolicyChangeError? {
        for record in nodes.sorted(by: { $0.id < $1.id }) where revoking.contains(record.id) {
            switch record.state {
            case .active, .draining: return .nodeInService(record.id, state: record.state.rawValue)
            case .gone: continue
            }
        }
        return nil
    }

    /// Why node `id` may not be recorded active or draining: its identity is revoked, and how
    /// to undo that.
    public static func revokedNodeRecorded(_ id: UInt32) -> String {
        let urn = Identity.node(id).urn
        return "the identity of node \(id) (\(urn)) is revoked in the authorization policy, and a revoked node is never recorded active or draining; "
            + "give this machine a new node id, or lift the revocation first with `colony auth user reinstate \(urn)` if the certificate did not leak"
    }
}
