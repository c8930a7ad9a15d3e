import ColonyCore

/// Decides whether a history of Colony operations is linearizable.
///
/// The algorithm is Wing & Gong's search with Lowe's memoization, as in Porcupine
/// (`LinearizabilitySearch`). Around it:
///
/// 1. Validate the history and pair each invoke with its completion. A `fail` certainly did
///    not take effect and is dropped; an `info`, or an invoke that never ended, may take
///    effect at any time after its invoke, or never.
/// 2. Split the operations into partitions (`Partition`): each key of a cell is a register,
///    except that a cell with a transaction is checked whole, as a map.
/// 3. In each partition, prune what cannot change the verdict (`OperationPruning`) and
///    search, within a budget of steps. CellOperation A must precede B when A's completion
///    comes before B's invoke in the history.
/// 4. Cut every violation down to a small slice of history that shows it
///    (`ViolationMinimizer`). A search that runs out of budget is reported as unknown,
///    never as a pass.
public struct LinearizabilityChecker: Sendable {
    /// The default number of search steps one partition may take.
    public static let defaultBudget = 10_000_000

    /// The most search steps spent deciding one partition, and again on minimizing it.
    public var budget: Int

    /// A checker that spends at most `budget` search steps on each partition.
    public init(budget: Int = LinearizabilityChecker.defaultBudget) {
        self.budget = max(budget, 1)
    }

    /// Checks the history and reports every violation and undecided partition.
    public func check(_ events: [HistoryEvent]) -> CheckReport {
        var report = CheckReport(
            eventCount: events.count, operationCount: events.count { $0.type == .invoke },
            failedOperationCount: 0, indeterminateOperationCount: 0, partitionCount: 0,
            violations: [], unknownPartitions: [], invalidHistory: nil)
        do {
            try HistoryValidator.validate(events)
        } catch {
            report.invalidHistory = error
            return report
        }
        let (operations, failedCount) = RecordedOperation.pair(events)
        report.failedOperationCount = failedCount
        report.indeterminateOperationCount = operations.count { $0.outcome == .indeterminate }
        let partitions = Partition.split(operations)
        report.partitionCount = partitions.count
        for partition in partitions {
            let (result, searched) = partition.model.search(partition.operations, budget: budget)
            switch result.verdict {
            case .linearizable:
                break
            case .notLinearizable:
                report.violations.append(violation(in: partition))
            case .unknown:
                report.unknownPartitions.append(
                    UnknownPartition(
                        cell: partition.cell, key: partition.key, operationCount: searched.count, steps: result.steps))
            }
        }
        return report
    }

    /// Minimizes a partition known not to be linearizable and explains the slice.
    private func violation(in partition: Partition) -> Violation {
        var minimizer = ViolationMinimizer(model: partition.model, searchStepsMax: budget, totalStepsMax: budget)
        let slice = minimizer.minimize(partition.operations)
        let events = slice.flatMap(\.events).sorted { $0.index < $1.index }
        return Violation(
            cell: partition.cell, key: partition.key, explanation: explain(slice, in: partition), events: events)
    }

    /// One or two sentences on why the slice is not linearizable.
    private func explain(_ slice: [RecordedOperation], in partition: Partition) -> String {
        let quick = partition.model.search(slice, budget: budget)
        if case .notLinearizable(let deadEnd) = quick.result.verdict, deadEnd.observesUnwrittenValue,
            quick.searched.indices.contains(deadEnd.blockedOperation)
        {
            return "\(quick.searched[deadEnd.blockedOperation]) saw a value that no operation on "
                + "\(partition.placeDescription) that may have taken effect (ok, info or unfinished) wrote"
        }
        let operations = slice.count == 1 ? "this operation" : "these \(slice.count) operations"
        var explanation = "no order of \(operations) on \(partition.placeDescription) "
            + "is consistent with \(partition.modelDescription) and with real time"
        let (result, searched) = partition.model.search(slice, budget: budget, forExplanation: true)
        if case .notLinearizable(let deadEnd) = result.verdict, searched.indices.contains(deadEnd.blockedOperation) {
            explanation += "; the longest consistent order places \(deadEnd.placedCount) of them, and then "
                + "\(searched[deadEnd.blockedOperation]) cannot take effect before it returns"
        }
        return explanation
    }
}
