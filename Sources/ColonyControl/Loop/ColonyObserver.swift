import ColonyAPI
import ColonyClient
import ColonyCore

/// Looks at the cells of a colony the way the control plane needs: asks nodes for the
/// replicas they host (`ListCells`), all nodes at once, and turns each answer into
/// `ReplicaSummary`s. A node that does not answer is listed as unreachable; its replicas are
/// simply not seen. This is the edge where the node's protocol buffers end: everything past
/// it is pure.
public struct ColonyObserver: Sendable {
    /// The client the nodes are asked through.
    public let client: ColonyClient

    /// An observer asking through `client`.
    public init(client: ColonyClient) {
        self.client = client
    }

    /// What each node of `nodes` said of its replicas, and the nodes that did not answer.
    public func listings(_ nodes: [NodeRecord]) async -> (summaries: [NodeID: [ReplicaSummary]], unreachable: [NodeID]) {
        let client = client
        var summaries: [NodeID: [ReplicaSummary]] = [:]
        var unreachable: [NodeID] = []
        await withTaskGroup(of: (NodeID, [Colony_V1_CellSummary]?).self) { group in
            for node in nodes {
                group.addTask { (NodeID(node.id), try? await client.listCells(at: node.clientAddress)) }
            }
            for await (node, listed) in group {
                if let listed {
                    summaries[node] = listed.compactMap { Self.summary($0, node: node) }
                } else {
                    unreachable.append(node)
                }
            }
        }
        return (summaries, unreachable.sorted())
    }

    /// What the nodes of `nodes` (except gone ones) said, gathered per cell name, and the
    /// nodes that did not answer.
    public func observe(_ nodes: [NodeRecord]) async -> (cells: [String: ObservedCell], unreachable: [UInt32]) {
        let (summaries, unreachable) = await listings(nodes.filter { $0.state != .gone })
        return (ObservedCell.gather(summaries), unreachable.map(\.rawValue))
    }

    /// What node `node` said of one replica it hosts; nil for a cell name no cell may have.
    public static func summary(_ listed: Colony_V1_CellSummary, node: NodeID) -> ReplicaSummary? {
        guard let cell = try? CellID(validating: listed.cell) else { return nil }
        let configuration = listed.configuration
        let members = configuration.members.map { NodeID($0.node) }
        return ReplicaSummary(
            cell: cell, epoch: listed.hasConfiguration ? configuration.epoch : 0, members: members,
            isMember: members.contains(node), isDamaged: listed.damaged, appliedThrough: listed.appliedThrough,
            leader: listed.leader == 0 ? nil : NodeID(listed.leader))
    }
}
