import ColonyCore

/// Checks the heart of consensus directly: every replica of a cell that applies a slot
/// applies the same batch there.
struct AgreementChecker {
    private var chosen: [CellID: [Slot: Batch]] = [:]
    private(set) var violations: [String] = []

    mutating func observe(_ event: CellEvent, node: NodeID, time: UInt64) {
        guard case .applied(let slot, let batch) = event.event else { return }
        if let first = chosen[event.cell]?[slot] {
            if first != batch, violations.count < 20 {
                violations.append("replicas disagree: cell \(event.cell) slot \(slot): node \(node) applied \(batch) but another replica applied \(first) (t=\(time)ns)")
            }
        } else {
            chosen[event.cell, default: [:]][slot] = batch
        }
    }
}
