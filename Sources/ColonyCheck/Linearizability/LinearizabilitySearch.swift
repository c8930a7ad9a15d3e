/// What one search concluded.
enum SearchVerdict: Sendable {
    /// Some order of the operations is consistent with the model and with real time.
    case linearizable
    /// No order is; `deadEnd` tells how far the best attempt got.
    case notLinearizable(deadEnd: SearchDeadEnd)
    /// The search ran out of steps before deciding.
    case unknown
}

/// How far the deepest attempt of a failed search got.
struct SearchDeadEnd: Sendable {
    /// How many operations the longest consistent order placed.
    var placedCount: Int
    /// The position (in the problem) of the ok operation that order could not place before
    /// it returned.
    var blockedOperation: Int
    /// Whether the blocked operation observed a value that is not the initial state and that
    /// no operation writes, so it fails on its own.
    var observesUnwrittenValue = false
}

/// The result of one search, with the steps it spent.
struct SearchResult: Sendable {
    /// The conclusion.
    var verdict: SearchVerdict
    /// How many steps the search took.
    var steps: Int
}

/// The Wing & Gong search for a linearization, with Lowe's memoization, as in Porcupine.
///
/// Invokes and returns form one list in event order. The search walks it from the front:
/// at an invoke it tries to take that operation's effect now; if the model allows it and
/// the pair (linearized operations, state) is new, it removes ("lifts") the operation's
/// two entries and starts again from the front; at a return, an operation that had to take
/// effect by then did not, so it undoes the last choice and tries the next operation.
///
/// Where we depart from Porcupine:
/// - An operation that may take effect at any time or never (an `info`, or an invoke
///   without completion) returns at +infinity and is not required, so the search succeeds
///   once every ok operation is placed, leaving the others unplaced.
/// - Reads are placed eagerly. If a read-only operation may come next (every operation that
///   returned before its invoke is placed) and the state matches what it read, then placing
///   it next loses nothing: it changes no state, and an order that placed it later stays
///   valid with it moved here. So such a read is a forced move, not a choice; undoing it
///   means the configuration before it has no way forward either. Without this, concurrent
///   reads of one value multiply the configurations by every subset of them.
/// - A placement that overwrites a value some pending ok operation must still observe, when
///   nothing left can write it again, is refused at once (`PendingObservations`), instead
///   of being found hopeless only after every configuration beyond it.
struct LinearizabilitySearch<State: ModelState> {
    /// The most bitset words the memo may hold (128 MiB); a search that needs more gives up.
    static var exploredWordsMax: Int { 1 << 24 }

    /// A node of the entry list: an invoke or a return of one operation.
    private struct Entry {
        var operation: Int
        var isInvoke: Bool
        /// For an invoke, the list node of its return.
        var match: Int
        var previous: Int
        var next: Int
    }

    /// One placed operation, with what to restore when it is undone.
    private struct Choice {
        var node: Int
        var stateBefore: State
        /// Whether it was a forced read, so that undoing it fails the configuration before it.
        var isForced: Bool
    }

    private static var head: Int { 0 }
    private static var none: Int { -1 }

    private let problem: SearchProblem
    private let isReadOnly: [Bool]
    private var entries: [Entry]
    private var linearized: Bitset
    private var explored: Set<Explored> = []
    private var exploredWords = 0
    private var choices: [Choice] = []
    private var state: State
    private var requiredRemaining: Int
    private var deadEnd = SearchDeadEnd(placedCount: -1, blockedOperation: 0)
    /// What unplaced operations still owe; nil when the problem is too large to track it.
    private var pending: PendingObservations?

    /// Prepares a search of the problem's operations. Without `detectsDeadEnds` the search
    /// does not track pending observations (see `PendingObservations`): slower, but its
    /// dead end then names the operation a person would blame.
    init(_ problem: SearchProblem, detectsDeadEnds: Bool = true) {
        self.problem = problem
        isReadOnly = problem.operations.map { operation in operation.steps.allSatisfy { !$0.isWrite } }
        entries = Self.buildEntries(problem.operations)
        linearized = Bitset(capacity: problem.operations.count)
        state = State(keyCount: problem.keyCount)
        requiredRemaining = problem.operations.count { $0.isRequired }
        pending = detectsDeadEnds ? PendingObservations(problem) : nil
    }

    /// Sorts invokes and returns by event index (invokes first on ties) into a linked list
    /// whose node 0 is the head.
    private static func buildEntries(_ operations: [SearchOperation]) -> [Entry] {
        var moments: [(index: Int, isReturn: Bool, operation: Int)] = []
        moments.reserveCapacity(operations.count * 2)
        for (position, operation) in operations.enumerated() {
            moments.append((operation.invokeIndex, false, position))
            moments.append((operation.returnIndex, true, position))
        }
        moments.sort { ($0.index, $0.isReturn ? 1 : 0, $0.operation) < ($1.index, $1.isReturn ? 1 : 0, $1.operation) }
        var entries = [Entry(operation: -1, isInvoke: false, match: none, previous: none, next: none)]
        var returnNode = Array(repeating: none, count: operations.count)
        for (offset, moment) in moments.enumerated() {
            let node = offset + 1
            entries.append(Entry(operation: moment.operation, isInvoke: !moment.isReturn, match: none, previous: node - 1, next: none))
            entries[node - 1].next = node
            if moment.isReturn { returnNode[moment.operation] = node }
        }
        for node in entries.indices.dropFirst() where entries[node].isInvoke {
            entries[node].match = returnNode[entries[node].operation]
        }
        return entries
    }

    /// Runs the search, giving up after `budget` steps; a step is one look at one entry.
    mutating func run(budget: Int) -> SearchResult {
        let initial = state
        if let impossible = pending?.impossibleObserver(in: problem, now: { initial.value(at: $0) }) {
            let deadEnd = SearchDeadEnd(placedCount: 0, blockedOperation: impossible, observesUnwrittenValue: true)
            return SearchResult(verdict: .notLinearizable(deadEnd: deadEnd), steps: 1)
        }
        var steps = 0
        var node = Self.none
        var isFreshConfiguration = true
        while requiredRemaining > 0 {
            guard steps < budget, exploredWords <= Self.exploredWordsMax else {
                return SearchResult(verdict: .unknown, steps: steps)
            }
            steps += 1
            if isFreshConfiguration {
                isFreshConfiguration = false
                node = entries[Self.head].next
                if let read = placeableRead(steps: &steps) {
                    if place(read, isForced: true) {
                        isFreshConfiguration = true
                        continue
                    }
                    // This configuration was explored before, through the same forced read.
                    node = Self.none
                }
            }
            if node != Self.none, entries[node].isInvoke {
                if place(node, isForced: false) {
                    isFreshConfiguration = true
                } else {
                    node = entries[node].next
                }
                continue
            }
            // A return (or the end): the operation that returns here was not placed in time.
            if node != Self.none, choices.count > deadEnd.placedCount {
                deadEnd = SearchDeadEnd(placedCount: choices.count, blockedOperation: entries[node].operation)
            }
            guard let resumeAt = backtrack() else {
                return SearchResult(verdict: .notLinearizable(deadEnd: deadEnd), steps: steps)
            }
            node = resumeAt
        }
        return SearchResult(verdict: .linearizable, steps: steps)
    }

    /// The invoke node of a read-only operation that may come next and matches the state.
    private func placeableRead(steps: inout Int) -> Int? {
        var node = entries[Self.head].next
        while node != Self.none, entries[node].isInvoke {
            steps += 1
            let operation = entries[node].operation
            if isReadOnly[operation], state.applying(problem.operations[operation].steps) != nil {
                return node
            }
            node = entries[node].next
        }
        return nil
    }

    /// Places the operation invoked at `node` if the model allows it and the resulting
    /// configuration is new; whether it did.
    private mutating func place(_ node: Int, isForced: Bool) -> Bool {
        let operation = entries[node].operation
        guard let nextState = state.applying(problem.operations[operation].steps) else { return false }
        pending?.remove(operation)
        guard !strandsObserver(operation, nextState: nextState) else {
            pending?.restore(operation)
            return false
        }
        linearized.insert(operation)
        guard explored.insert(Explored(linearized: linearized, state: nextState)).inserted else {
            linearized.remove(operation)
            pending?.restore(operation)
            return false
        }
        exploredWords += linearized.wordCount
        choices.append(Choice(node: node, stateBefore: state, isForced: isForced))
        state = nextState
        if problem.operations[operation].isRequired { requiredRemaining -= 1 }
        lift(node)
        return true
    }

    /// Whether placing the operation overwrites a value that a pending ok operation must
    /// still observe and that nothing left can write again (see `PendingObservations`).
    private func strandsObserver(_ operation: Int, nextState: State) -> Bool {
        guard let pending else { return false }
        for step in problem.operations[operation].steps where step.isWrite {
            let before = state.value(at: step.key)
            if nextState.value(at: step.key) != before, pending.isStranded(key: step.key, value: before) {
                return true
            }
        }
        return false
    }

    /// Undoes choices back to the last free one and returns the node after it, where the
    /// walk resumes; nil when there is nothing left to undo.
    private mutating func backtrack() -> Int? {
        while let choice = choices.popLast() {
            let operation = entries[choice.node].operation
            state = choice.stateBefore
            linearized.remove(operation)
            pending?.restore(operation)
            if problem.operations[operation].isRequired { requiredRemaining += 1 }
            unlift(choice.node)
            if !choice.isForced {
                return entries[choice.node].next
            }
        }
        return nil
    }

    /// Takes an invoke and its return out of the list.
    private mutating func lift(_ invoke: Int) {
        unlink(invoke)
        unlink(entries[invoke].match)
    }

    /// Puts back what `lift` took out, in reverse order.
    private mutating func unlift(_ invoke: Int) {
        relink(entries[invoke].match)
        relink(invoke)
    }

    private mutating func unlink(_ node: Int) {
        let previous = entries[node].previous
        let next = entries[node].next
        entries[previous].next = next
        if next != Self.none { entries[next].previous = previous }
    }

    private mutating func relink(_ node: Int) {
        let previous = entries[node].previous
        let next = entries[node].next
        entries[previous].next = node
        if next != Self.none { entries[next].previous = node }
    }

    /// A configuration already searched from: which operations are placed, and the state.
    private struct Explored: Hashable {
        var linearized: Bitset
        var state: State
    }
}
