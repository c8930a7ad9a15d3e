import ColonyCore
import ColonyPlacement

extension Reconciler {
    /// The most cells rebalancing asks the placer about in one pass. Each is a placer search,
    /// and where the rules keep the placer from evening loads out further, every cell of the
    /// most loaded nodes would be searched again on every pass.
    static let rebalanceTriesMax = 32

    /// Rule 6: up to `movesMax` moves that even out replicas per active node, each taking a
    /// replica of one of the `balanced` cells (in name order) off a crowded node (see
    /// `crowdedNodes`) to the placer's choice, when `relieving` accepts that choice. Each
    /// move is counted by `placer` before the next is chosen.
    static func rebalancingMoves(_ balanced: [PlacedCell], placer: inout Placer, nodes: [NodeRecord], movesMax: Int) -> [CellAction] {
        var movable = balanced
        var actions: [CellAction] = []
        var tries = 0
        search: while actions.count < movesMax {
            for crowded in crowdedNodes(nodes, placer: placer) {
                for (index, record) in movable.enumerated() where record.placement.members.contains(crowded) {
                    guard tries < rebalanceTriesMax else { break search }
                    tries += 1
                    guard let next = relieving(crowded, of: record.placement, placer: &placer) else { continue }
                    actions.append(started(record, toward: next, reason: .rebalance, nodes: nodes))
                    movable.remove(at: index)
                    continue search
                }
            }
            break
        }
        return actions
    }

    /// The active nodes holding at least two replicas more than the least loaded active node
    /// of their color, most loaded first, ties to the lowest id. Empty when the loads of each
    /// color are within one of each other: the colony is balanced.
    static func crowdedNodes(_ nodes: [NodeRecord], placer: Placer) -> [NodeID] {
        let active = nodes.filter { $0.state == .active }
        var leastByColor: [String: Int] = [:]
        for node in active {
            let load = placer.replicas(on: NodeID(node.id))
            leastByColor[node.color] = min(leastByColor[node.color] ?? load, load)
        }
        let crowded = active.filter { node in
            placer.replicas(on: NodeID(node.id)) >= (leastByColor[node.color] ?? 0) + 2
        }
        return crowded.map { NodeID($0.id) }.sorted { first, second in
            let (firstLoad, secondLoad) = (placer.replicas(on: first), placer.replicas(on: second))
            return firstLoad != secondLoad ? firstLoad > secondLoad : first < second
        }
    }

    /// `placement` with `crowded` replaced by the placer's choice, now counted by `placer`,
    /// when that choice held at least two replicas fewer than `crowded` and the new placement
    /// relaxes no rule `placement` keeps; nil otherwise, with `placer` counting `placement`
    /// as before.
    static func relieving(_ crowded: NodeID, of placement: Placement, placer: inout Placer) -> Placement? {
        let crowdedLoad = placer.replicas(on: crowded)
        guard let next = try? placer.replace(crowded, in: placement) else { return nil }
        if let added = next.members.first(where: { !placement.members.contains($0) }),
           placer.replicas(on: added) - 1 <= crowdedLoad - 2,
           next.relaxed.allSatisfy({ placement.relaxes($0.rule) }) {
            return next
        }
        do {
            try placer.remove(next)
            try placer.record(placement)
        } catch {
            preconditionFailure("Invalid state: the placer gives back the placement it just made, and takes back the one it counted: \(error)")
        }
        return nil
    }
}
