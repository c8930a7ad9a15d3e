import ColonyPlacement

/// `colony node join` (`OperatorCommand.join`): the record a node joining the colony gets
/// in the directory, or why it may not join. Once recorded active, the placer may place
/// replicas on it and rebalancing moves replicas onto it; every node learns its addresses
/// from the directory (ColonyNode's peer book).
///
/// A join is refused when the record is malformed (an address that is not HOST:PORT, a
/// domain name the placer refuses), when its id is recorded with other addresses (another
/// machine holds the id), when another node that is not gone listens at one of its
/// addresses, when its id is gone (a gone node never comes back: give the machine a new id),
/// or when the authorization policy revokes its identity (`NodeRevocationCheck`). Joining again with the same addresses is allowed and keeps the recorded state, so
/// a join can be retried, and a draining node stays draining.
public enum NodeJoining {
    /// The record `joining` is written as, over the directory's `nodes`, while the policy
    /// revokes the identities of the nodes `revoked`.
    public static func record(_ joining: NodeRecord, over nodes: [NodeRecord], revoked: Set<UInt32>) throws(ControlError) -> NodeRecord {
        if let problem = joining.problem { throw .joinRefused(node: joining.id, problem) }
        if revoked.contains(joining.id) { throw .joinRefused(node: joining.id, NodeRevocationCheck.revokedNodeRecorded(joining.id)) }
        if let recorded = nodes.first(where: { $0.id == joining.id }) {
            if recorded.state == .gone {
                throw .joinRefused(node: joining.id, "node \(joining.id) is gone, and a gone node never returns; give the machine a new node id")
            }
            if recorded.peerAddress != joining.peerAddress || recorded.clientAddress != joining.clientAddress {
                throw .joinRefused(
                    node: joining.id,
                    "node \(joining.id) is recorded at peer \(recorded.peerAddress), client \(recorded.clientAddress): the id is in use by another address; give this machine a new node id, or `colony node gone \(joining.id)` first if that machine is lost")
            }
        }
        for other in nodes where other.id != joining.id && other.state != .gone {
            let shared = Set([other.peerAddress, other.clientAddress]).intersection([joining.peerAddress, joining.clientAddress])
            if let address = shared.sorted().first {
                throw .joinRefused(node: joining.id, "node \(other.id) listens at \(address) already; every node needs addresses of its own")
            }
        }
        return joining.keepingState(of: nodes)
    }
}
