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
/// Every membership change the control plane makes is judged twice:
/// 1. when it is requested: if it takes out a live member, the members that stay must hold
///    a majority of live ones;
/// 2. when the cell applies it: if it took out a member that was live (at the request or
///    now), the new configuration must hold a majority of members that are live now or were
///    live at the request. Members that faults took in between (a crash, a stop, a corrupt
///    disk, a lost node) count as live: what the faults took is theirs.
/// A change that takes out a member that was not live takes nothing, so a cell the faults
/// left without a majority is no violation. Renewals change no member and are not judged.
struct MajorityChecker {
    /// The most violations kept, so a broken run stays readable.
    static let violationsMax = 20

    /// The last change requested of each cell, with its live members at that time.
    private var requests: [CellID: (change: MembershipChange, live: Set<NodeID>)] = [:]
    /// What went wrong, in words, with the cell, the change and the time.
    private(set) var violations: [String] = []

    /// Judges `change` as the control plane requests it of `cell`, whose members are those of
    /// `configuration`, `live` of them live now.
    mutating func requested(_ change: MembershipChange, cell: CellID, configuration: CellConfiguration, live: Set<NodeID>, time: UInt64) {
        requests[cell] = (change, live)
        guard live.contains(change.remove) else { return }
        let staying = configuration.members.filter { $0 != change.remove && live.contains($0) }
        if staying.count < configuration.quorum {
            record("cell \(cell): \(change) was requested with only \(staying.count) of its other members live, fewer than a majority (\(configuration.quorum)) (t=\(time)ns)")
        }
    }

    /// Judges the change that took `cell` from `previous` to `next`, as the cell applies it;
    /// `live` holds the nodes of both configurations that are live now.
    mutating func applied(previous: CellConfiguration, next: CellConfiguration, cell: CellID, live: Set<NodeID>, time: UInt64) {
        let removed = previous.members.filter { !next.contains($0) }
        let added = next.members.filter { !previous.contains($0) }
        var liveAtRequest: Set<NodeID> = []
        if let request = requests[cell], removed == [request.change.remove], added == [request.change.add] {
            liveAtRequest = request.live
        }
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
