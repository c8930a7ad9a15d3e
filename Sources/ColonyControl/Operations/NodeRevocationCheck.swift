import ColonyAuth
import ColonyPlacement

/// Whether a policy may revoke node identities: only those of nodes out of service. Revoking
/// the identity of a node that still serves cuts it off from its peers and its clients at once
/// (every peer port refuses it, and the policy and peer book it reads through the other nodes'
/// client ports are refused to it), so its replicas would be lost without the control plane
/// having re-placed them: an operator drains the node and declares it gone first.
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
}
