import ColonyAuth
import ColonyCore
import Synchronization

/// The nodes whose identities the enforced policy revokes, for the peer port and the peer
/// links, which consult it on every hello and every frame: a set under a lock, replaced
/// whole when the node adopts a policy (`Authorizer.adopt`). A revoked node's connection to
/// the peer port is cut at its next frame, and no link of this node speaks to it.
final class RevokedNodes: Sendable {
    private let nodes: Mutex<Set<UInt32>>

    /// The nodes `policy` revokes.
    init(_ policy: AuthPolicy) {
        nodes = Mutex(policy.revokedNodes)
    }

    /// Takes the nodes `policy` revokes.
    func adopt(_ policy: AuthPolicy) {
        let revoked = policy.revokedNodes
        nodes.withLock { $0 = revoked }
    }

    /// Whether node `id`'s identity is revoked.
    func contains(_ id: NodeID) -> Bool {
        nodes.withLock { $0.contains(id.rawValue) }
    }
}
