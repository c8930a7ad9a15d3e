import ColonyPlacement

/// `colony node drain|gone|activate ID`: records a node's new state in the directory. The
/// control loop does the rest: a draining node's replicas move off one membership change at
/// a time; a gone node's replicas are re-placed; a node activated again takes new replicas,
/// and rebalancing moves replicas onto it until the active nodes' loads are within one.
public enum NodeStateChange {
    /// Moves node `id` to `state` in the directory; returns its record as it was before.
    /// A gone node never becomes draining or active again.
    public static func set(_ state: NodeState, of id: UInt32, directory: Directory) async throws(ControlError) -> NodeRecord {
        let nodes: [NodeRecord]
        do {
            nodes = try await directory.nodes()
        } catch {
            throw .directory(error)
        }
        let (before, after) = try change(id, to: state, in: nodes)
        do {
            try await directory.put(after)
        } catch {
            throw .directory(error)
        }
        return before
    }

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
