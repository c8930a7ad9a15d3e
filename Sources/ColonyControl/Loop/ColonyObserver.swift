import ColonyAPI
import ColonyClient
import ColonyCore

/// Looks at every cell of a colony the way the control plane needs: asks each node that is not
/// gone for the replicas it hosts (`ListCells`), all nodes at once, and gathers the answers
/// into `ObservedCell`s. A node that does not answer is listed as unreachable; its replicas
/// are simply not seen.
public struct ColonyObserver: Sendable {
    /// The client the nodes are asked through.
    public let client: ColonyClient

    /// An observer asking through `client`.
    public init(client: ColonyClient) {
        self.client = client
    }

    /// What the nodes of `nodes` (except gone ones) said, gathered per cell, and the nodes
    /// that did not answer.
    public func observe(_ nodes: [NodeRecord]) async -> (cells: [String: ObservedCell], unreachable: [UInt32]) {
        let client = client
        var summaries: [NodeID: [Colony_V1_CellSummary]] = [:]
        var unreachable: [UInt32] = []
        await withTaskGroup(of: (UInt32, [Colony_V1_CellSummary]?).self) { group in
            for node in nodes where node.state != .gone {
                group.addTask { (node.id, try? await client.listCells(at: node.clientAddress)) }
            }
            for await (node, listed) in group {
                if let listed {
                    summaries[NodeID(node)] = listed
                } else {
                    unreachable.append(node)
                }
            }
        }
        return (ObservedCell.gather(summaries), unreachable.sorted())
    }
}
