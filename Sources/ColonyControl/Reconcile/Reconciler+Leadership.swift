import ColonyCore
import ColonyPlacement

extension Reconciler {
    /// The transfer that puts `record`'s cell's lead on its preferred leader, if the cell
    /// needs one and can take one now (rule 5): the cell is settled, one member says it leads
    /// and it is not the preferred one, and the preferred one is an active node whose replica
    /// answered as a ready member. Nil otherwise; a cell with no known leader is left to elect
    /// one by itself.
    static func leadershipTransfer(_ record: PlacedCell, cell: ObservedCell, states: [NodeID: NodeState]) -> CellAction? {
        let preferred = record.placement.preferredLeader
        guard record.move == nil, !cell.hasUnrenewedMember, let leader = cell.leader, leader != preferred,
              states[preferred] == .active, cell.isReadyMember(preferred)
        else { return nil }
        return .transferLeadership(cell: record.cell, from: leader, to: preferred)
    }
}
