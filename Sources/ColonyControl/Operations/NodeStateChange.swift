import ColonyPlacement

/// `colony node drain|gone|activate ID` (`OperatorCommand.setState`): a node's new state in
/// the directory. The control loop does the rest: a draining node's replicas move off one
/// membership change at a time; a gone node's replicas are re-placed; a node activated again
/// takes new replicas, and rebalancing moves replicas onto it until the active nodes' loads
/// are within one.
public enum NodeStateChange {
    /// Node `id`'s record as it is in `nodes`, and as it is once moved to `state`; a gone node
    /// never becomes draining or active again.
    public static func change(_ id: UInt32, to state: NodeState, in nodes: [NodeRecord]) throws(ControlError) -> (before: NodeRecord, after: NodeRecord) {
        guard let before = nodes.first(where: { $0.id == id }) else { throw .directory(.unknownNode(id)) }
        if before.state == .gone, state != .gone {
            throw .illegalTransition(node: id, from: before.state, to: state)
        }
        var after = before
        after.state = state
        return (before, after)
    }
}
