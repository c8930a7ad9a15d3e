/// Cuts a non-linearizable partition down to a small slice that is still not linearizable,
/// so that a person can see the violation.
///
/// 1. Find the shortest prefix, by event index, that is already not linearizable.
///    Linearizability is prefix-closed, so a binary search over the ok completions works;
///    in a prefix, operations not yet ended become indeterminate.
/// 2. Greedily remove operations while the rest stays non-linearizable, in runs as in delta
///    debugging, trying only removals that are sound (see `OperationPruning`): a slice
///    found this way is not linearizable, and neither is any history it was cut from.
///    While runs are long, the operation the search got stuck on stays: it is most likely
///    at the heart of the violation, and keeping it lets whole runs around it go at once.
///
/// All searches of one minimization share one budget of steps; when it runs out the slice
/// found so far is returned, still a true witness, only perhaps not the smallest.
struct ViolationMinimizer {
    /// The most searches one minimization runs.
    static let searchCountMax = 10_000

    private let model: Partition.Model
    private let searchStepsMax: Int
    private var stepsRemaining: Int
    private var searchCount = 0
    /// The invoke index of the operation the latest failed search got stuck on.
    private var suspect: Int?
    /// Whether that operation observed a value that nothing writes, and so fails alone.
    private var suspectFailsAlone = false

    /// A minimizer whose searches each take at most `searchStepsMax` steps, and all together
    /// at most `totalStepsMax`.
    init(model: Partition.Model, searchStepsMax: Int, totalStepsMax: Int) {
        self.model = model
        self.searchStepsMax = searchStepsMax
        self.stepsRemaining = totalStepsMax
    }

    /// A small non-linearizable slice of `operations`, which must not be linearizable.
    /// An operation that observed a value nobody writes is a slice on its own.
    mutating func minimize(_ operations: [RecordedOperation]) -> [RecordedOperation] {
        guard isViolated(operations) else { return operations }
        if suspectFailsAlone, let lone = operations.first(where: { $0.invoke.index == suspect }) {
            return [lone]
        }
        let prefix = shortestViolatedPrefix(operations)
        return shrink(OperationPruning.prune(prefix))
    }

    /// The shortest prefix, through some ok completion, that is still not linearizable,
    /// given that the whole of `operations` is not.
    private mutating func shortestViolatedPrefix(_ operations: [RecordedOperation]) -> [RecordedOperation] {
        let cuts = operations.compactMap(\.returnIndex).sorted()
        guard !cuts.isEmpty else { return operations }
        var low = 0
        var high = cuts.count - 1
        while low < high {
            let middle = (low + high) / 2
            if isViolated(prefix(of: operations, through: cuts[middle])) {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return prefix(of: operations, through: cuts[high])
    }

    private func prefix(of operations: [RecordedOperation], through index: Int) -> [RecordedOperation] {
        operations.compactMap { $0.truncated(atEventIndex: index) }
    }

    /// Removes operations while the rest stays non-linearizable, as in delta debugging: first
    /// in large runs of neighbours, then in ever smaller runs, down to one at a time, and
    /// again while single removals still help.
    private mutating func shrink(_ operations: [RecordedOperation]) -> [RecordedOperation] {
        var slice = operations
        var runLength = max(slice.count / 2, 1)
        let pinned = suspect
        while true {
            let removedAny = shrinkPass(&slice, runLength: runLength, keeping: runLength > 1 ? pinned : nil)
            if runLength > 1 {
                runLength /= 2
            } else if !removedAny {
                return slice
            }
        }
    }

    /// Tries removing each run of `runLength` neighbours, latest first, except the operation
    /// invoked at event `pinned`; whether any went.
    private mutating func shrinkPass(_ slice: inout [RecordedOperation], runLength: Int, keeping pinned: Int?) -> Bool {
        var removedAny = false
        var end = slice.count
        while end > 0 {
            let run = max(end - runLength, 0)..<end
            end = run.lowerBound
            guard let candidate = removingSoundly(run, from: slice, keeping: pinned), isViolated(candidate) else {
                continue
            }
            slice = candidate
            removedAny = true
        }
        return removedAny
    }

    /// The slice without those operations in `run` that can be removed one after another,
    /// latest first, each sound given what the others left observe; nil if none can.
    private func removingSoundly(
        _ run: Range<Int>, from slice: [RecordedOperation], keeping pinned: Int?
    ) -> [RecordedOperation]? {
        var observed: [String?: Int] = [:]
        for operation in slice {
            for value in OperationPruning.observedValues(of: operation) {
                observed[value, default: 0] += 1
            }
        }
        var removed: Set<Int> = []
        for position in run.reversed() where slice[position].invoke.index != pinned {
            let operation = slice[position]
            let own = OperationPruning.observedValues(of: operation)
            let isObservedByOthers: (String?) -> Bool = { value in
                (observed[value] ?? 0) > own.count { $0 == value }
            }
            guard !OperationPruning.writtenValues(of: operation).contains(where: isObservedByOthers) else { continue }
            removed.insert(position)
            for value in own {
                observed[value, default: 0] -= 1
            }
        }
        guard !removed.isEmpty else { return nil }
        return slice.indices.filter { !removed.contains($0) }.map { slice[$0] }
    }

    /// Whether a search proves the operations not linearizable within the remaining budget.
    private mutating func isViolated(_ operations: [RecordedOperation]) -> Bool {
        guard stepsRemaining > 0, searchCount < Self.searchCountMax else { return false }
        searchCount += 1
        let (result, searched) = model.search(operations, budget: min(searchStepsMax, stepsRemaining))
        stepsRemaining -= result.steps
        switch result.verdict {
        case .notLinearizable(let deadEnd):
            if searched.indices.contains(deadEnd.blockedOperation) {
                suspect = searched[deadEnd.blockedOperation].invoke.index
                suspectFailsAlone = deadEnd.observesUnwrittenValue
            }
            return true
        case .linearizable, .unknown:
            return false
        }
    }
}
