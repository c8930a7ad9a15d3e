import ColonyAPI
import ColonyClient
import ColonyControl
import ColonyCore

/// A cell as each of its members says of its own replica, not only as one node says of it:
/// which members are damaged and how far each applied. `colony cell info` shows it;
/// `colony cell force-recover` decides from it (`ForceRecovery`).
struct CellSurvey {
    /// The cell as `ColonyClient.cellInfo` found it (its leader's view, or the newest replica's).
    let summary: Colony_V1_CellSummary
    /// What the members that answered said of themselves.
    let observed: ObservedCell
    /// Each member's client address, by node.
    let addresses: [NodeID: String]

    /// Asks the cell's info of any node, then each member of the configuration it names.
    static func take(_ cell: String, client: ColonyClient) async throws -> CellSurvey {
        let summary = try await client.cellInfo(cell)
        let members = summary.configuration.members.map { (node: $0.node, address: $0.address) }
        let answers = await client.cellAtEachMember(cell, members: members)
        var reports: [NodeID: [ReplicaSummary]] = [:]
        for (node, listed) in answers {
            if let report = ColonyObserver.summary(listed, node: NodeID(node)) { reports[NodeID(node)] = [report] }
        }
        var observed = ObservedCell.gather(reports)[cell]
            ?? ObservedCell(epoch: summary.configuration.epoch, members: [], replicas: [:])
        if observed.members.isEmpty {
            // No member holds the cell's state: the configuration the info named stands.
            observed = ObservedCell(
                epoch: summary.configuration.epoch, members: summary.configuration.members.map { NodeID($0.node) },
                replicas: observed.replicas)
        }
        let addresses = Dictionary(members.map { (NodeID($0.node), $0.address) }, uniquingKeysWith: { first, _ in first })
        return CellSurvey(summary: summary, observed: observed, addresses: addresses)
    }

    /// One line per member: its address, whether it votes, is damaged or did not answer, and
    /// how far it applied.
    var memberLines: [String] {
        observed.members.map { member in
            let address = addresses[member] ?? ""
            guard let replica = observed.replicas[member] else { return "\(member) \(address)  did not answer" }
            let health = replica.isDamaged ? "DAMAGED, waits to be renewed" : "votes"
            return "\(member) \(address)  \(health), applied through slot \(replica.appliedThrough)"
        }
    }
}
