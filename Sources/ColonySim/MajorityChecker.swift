import ColonyCore

/// Checks the control plane against one rule: no cell is ever left without a majority of
/// live members, except when the faults themselves took it.
///
/// A member is *live* when its node is up and not gone and its replica votes: it holds the
/// cell's state and is not waiting to be renewed. So a member the control plane has just
/// added is not live until it has joined from a snapshot and been renewed — replacing a
/// member removes at once and adds only later, and a control plane that forgets this
/// removes before it adds.
///
/// The checker judges outcomes, not intentions: a request the cell's leader refuses leaves
/// the cell as it was. When a cell applies a change that took out a member that was live
/// (when the control plane looked, at the request, or now), the new configuration must hold
/// a majority of members that are live now or were live when the control plane decided the
/// change: ready in the listing of replicas its pass decided from, or live when it sent the
/// request. Members that faults took in between (a crash, a stop, a corrupt disk, a lost
/// node) count as live: what the faults took is theirs. A fault between the listing and the
/// request is no different: nothing the control plane could see had changed. A change that takes out a member that was not live takes nothing,
/// so a cell the faults left without a majority is no violation. Renewals change no member
/// and are not judged.
struct MajorityChecker {
    /// The most violations kept, so a broken run stays readable.
    static let violationsMax = 20

    /// The changes requested of each cell since its last applied change, with the live
    /// members at the time of each request (a refused request may be followed by another
    /// while an earlier attempt is still on its way through the log).
    private var requests: [CellID: [MembershipChange: Set<NodeID>]] = [:]
    /// What went wrong, in words, with the cell, the change and the time.
    private(set) var violations: [String] = []

    /// Notes that the control plane requested `change` of `cell`, deciding it while `live` of
    /// its members were live, to judge the change if the cell applies it.
    mutating func requested(_ change: MembershipChange, cell: CellID, live: Set<NodeID>) {
        requests[cell, default: [:]][change] = live
    }

    /// Judges the change that took `cell` from `previous` to `next`, as the cell applies it;
    /// `live` holds the nodes of both configurations that are live now.
    mutating func applied(previous: CellConfiguration, next: CellConfiguration, cell: CellID, live: Set<NodeID>, time: UInt64) {
        let removed = previous.members.filter { !next.contains($0) }
        let added = next.members.filter { !previous.contains($0) }
        var liveAtRequest: Set<NodeID> = []
        if let remove = removed.first, let add = added.first, removed.count == 1, added.count == 1 {
            liveAtRequest = requests[cell]?[MembershipChange(remove: remove, add: add)] ?? []
        }
        // A new epoch ends every change decided at the old one: the cell refuses them now.
        requests[cell] = nil
        let counted = live.union(liveAtRequest)
        guard removed.contains(where: { counted.contains($0) }) else { return }
        let liveMembers = next.members.filter { counted.contains($0) }
        if liveMembers.count < next.quorum {
            let change = removed.map(\.description).joined(separator: ",") + " → " + added.map(\.description).joined(separator: ",")
            record("cell \(cell): the change \(change) was applied at epoch \(next.epoch) leaving \(liveMembers.count) of \(next.members.count) members live (counting those faults took since the request), fewer than a majority (\(next.quorum)) (t=\(time)ns)")
        }
    }

    private mutating func record(_ violation: String) {
        if violations.count < Self.violationsMax {
            violations.append(violation)
        }
    }
}
