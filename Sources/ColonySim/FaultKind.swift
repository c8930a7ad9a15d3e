/// The kinds of fault the simulator can inject, named as `--faults` takes them.
///
/// The last five are the control plane's actions rather than failures: they change cells'
/// members through the cells' own logs, choosing nodes with the placer, while the workload
/// and the other faults run. They are drawn from the same schedule as the faults.
public enum FaultKind: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Split the nodes into two sides that cannot talk, then heal.
    case partition
    /// Cut single links in one direction only, then heal.
    case oneWay = "one-way"
    /// Stop links one by one, then restore them in a random order (FoundationDB's swizzle-clog).
    case clog
    /// Crash a node (it keeps only what it persisted) and restart it later.
    case crash
    /// Stop a node as an operator does: it hands its leaderships to other members, goes down
    /// a moment later, and restarts later.
    case stop
    /// Freeze a node for a while (a stalled process): it then wakes with old beliefs.
    case pause
    /// Flip a bit in a node's files (a snapshot, an older log segment, the newest segment's
    /// last synced flush, or anywhere in the newest segment), then crash and restart it, so
    /// recovery meets the damage.
    case corrupt
    /// Drop a share of all messages for a while.
    case loss
    /// Deliver a share of messages twice.
    case duplicate
    /// Hold a share of messages back long enough to arrive out of order.
    case reorder
    /// Move a cell: replace one of its members by a node the placer chooses, and later move
    /// it back.
    case move
    /// Drain a node: move every replica off it, one membership change at a time, each
    /// replacement chosen by the placer; the empty node may later return to service.
    case drain
    /// Lose a node for good: it goes down, is declared gone, and its replicas are re-placed
    /// on other nodes, each new replica joining from a snapshot.
    case remove
    /// Join a spare node to the fleet and rebalance replicas onto it.
    case add
    /// Move a cell near a zone: its members re-chosen with that zone named, one at a time.
    case moveNear = "move-near"

    /// Parses a `--faults` value: `all`, `none`, or a comma-separated list of kinds.
    public static func parseList(_ text: String) throws(FaultListError) -> Set<FaultKind> {
        let trimmed = text.trimmingWhitespace()
        if trimmed == "all" { return Set(allCases) }
        if trimmed == "none" || trimmed.isEmpty { return [] }
        var kinds: Set<FaultKind> = []
        for part in trimmed.split(separator: ",") {
            let name = String(part).trimmingWhitespace()
            guard let kind = FaultKind(rawValue: name) else { throw .unknown(name) }
            kinds.insert(kind)
        }
        return kinds
    }

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// Why a `--faults` value was refused.
public enum FaultListError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A name that is not a fault kind.
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let name):
            let known = FaultKind.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown fault \"\(name)\"; use all, none, or a comma-separated list of: \(known)"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
