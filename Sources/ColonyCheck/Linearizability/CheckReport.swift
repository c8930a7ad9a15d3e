import ColonyCore

/// What the linearizability checker found in one history.
public struct CheckReport: Sendable, CustomStringConvertible {
    /// How many events the history holds.
    public var eventCount: Int
    /// How many operations (invokes) the history holds.
    public var operationCount: Int
    /// How many operations ended in fail, and so were left out.
    public var failedOperationCount: Int
    /// How many operations ended in info or never ended.
    public var indeterminateOperationCount: Int
    /// How many partitions (keys, or whole cells with transactions) were checked.
    public var partitionCount: Int
    /// The partitions that are certainly not linearizable, each with a small witness.
    public var violations: [Violation]
    /// The partitions the search gave up on; their verdict is unknown, not a pass.
    public var unknownPartitions: [UnknownPartition]
    /// Why the events are not a well-formed history, if they are not; then nothing was checked.
    public var invalidHistory: HistoryError?

    /// Whether the history is well formed and every partition was proven linearizable.
    public var isLinearizable: Bool {
        invalidHistory == nil && violations.isEmpty && unknownPartitions.isEmpty
    }

    /// A summary line, then each problem.
    public var description: String {
        var lines = [
            "checked \(counted(eventCount, "event")): \(counted(operationCount, "operation")) "
                + "(\(failedOperationCount) failed, \(indeterminateOperationCount) indeterminate) "
                + "in \(counted(partitionCount, "partition"))"
        ]
        if let invalidHistory {
            lines.append("not checked: \(invalidHistory)")
        } else if isLinearizable {
            lines.append("linearizable")
        } else if violations.isEmpty {
            lines.append("UNDECIDED: \(counted(unknownPartitions.count, "partition")) not decided within the budget")
        } else {
            lines.append(
                "NOT LINEARIZABLE: \(counted(violations.count, "violation")), "
                    + "\(counted(unknownPartitions.count, "partition")) undecided")
        }
        lines += violations.map(\.description)
        lines += unknownPartitions.map(\.description)
        return lines.joined(separator: "\n")
    }
}

/// "1 event", "2 events".
private func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// A partition that is certainly not linearizable.
public struct Violation: Sendable, CustomStringConvertible {
    /// The cell.
    public var cell: String
    /// The key, or nil when the whole cell was checked as one map (it has transactions).
    public var key: String?
    /// What is wrong, in a sentence or two.
    public var explanation: String
    /// A small slice of the history that alone is not linearizable, original indices kept.
    public var events: [HistoryEvent]

    /// The explanation followed by the slice as history lines.
    public var description: String {
        (["violation: \(explanation)"] + events.map { "  " + HistoryCoding.encode($0) }).joined(separator: "\n")
    }
}

/// A partition whose search ran out of budget before deciding.
public struct UnknownPartition: Sendable, CustomStringConvertible {
    /// The cell.
    public var cell: String
    /// The key, or nil when the whole cell was checked as one map.
    public var key: String?
    /// How many operations were searched after pruning.
    public var operationCount: Int
    /// How many steps the search took before giving up.
    public var steps: Int

    /// What was not decided, and what to do about it.
    public var description: String {
        let place = Partition.describePlace(cell: cell, key: key)
        return "unknown: the search of \(operationCount) operations on \(place) gave up after \(steps) steps; "
            + "check again with a larger step budget than \(steps) (`colony check --budget`), or run shorter histories with fewer concurrent clients"
    }
}
