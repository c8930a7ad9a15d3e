import ColonyCore

/// A slow, obviously correct linearizability checker for tiny histories, to compare the real
/// one against: it tries every order of every subset, with no partitions, no pruning and no
/// memo. Each cell is a map from keys to values.
struct BruteForceChecker {
    private struct Operation {
        var invoke: Int
        var completion: Int?
        var isRequired: Bool
        var cell: String
        var steps: [(isWrite: Bool, key: String, value: String?)]
    }

    private var operations: [Operation] = []

    /// Whether the events (in order, indices need not be contiguous) are linearizable.
    static func isLinearizable(_ events: [HistoryEvent]) -> Bool {
        var checker = BruteForceChecker()
        checker.record(events)
        var placed = Array(repeating: false, count: checker.operations.count)
        return checker.extend(placed: &placed, state: [:])
    }

    private mutating func record(_ events: [HistoryEvent]) {
        var inFlight: [Int: (HistoryEvent, Int)] = [:]
        var recorded: [Operation?] = []
        for (position, event) in events.enumerated() {
            switch event.type {
            case .invoke:
                inFlight[event.process] = (event, recorded.count)
                recorded.append(Self.operation(event, completion: nil, position: position))
            case .ok, .info, .fail:
                guard let (invoke, slot) = inFlight.removeValue(forKey: event.process) else { continue }
                recorded[slot] = event.type == .fail ? nil : Self.operation(invoke, completion: (event, position), position: recorded[slot]?.invoke ?? 0)
            }
        }
        operations = recorded.compactMap { $0 }
    }

    private static func operation(_ invoke: HistoryEvent, completion: (HistoryEvent, Int)?, position: Int) -> Operation {
        let isOk = completion?.0.type == .ok
        let value = isOk ? (completion?.0.value ?? invoke.value) : invoke.value
        let key = invoke.key ?? ""
        var steps: [(Bool, String, String?)]
        switch (invoke.function, value) {
        case (.read, let read): steps = [(false, key, read.string)]
        case (.write, let written): steps = [(true, key, written.string)]
        case (.delete, _): steps = [(true, key, nil)]
        case (.cas, .pair(let expected, let new)): steps = [(false, key, expected), (true, key, new)]
        case (.txn, .transaction(let micro)): steps = micro.map { ($0.kind == .write, $0.key, $0.value) }
        case (.cas, _), (.txn, _): steps = []
        }
        if !isOk {
            steps = steps.enumerated().filter { index, step in
                step.0 || (invoke.function == .cas && index == 0)
            }.map(\.element)
        }
        return Operation(
            invoke: position, completion: isOk ? completion?.1 : nil, isRequired: isOk, cell: invoke.cell, steps: steps)
    }

    private func extend(placed: inout [Bool], state: [String: String]) -> Bool {
        if operations.indices.allSatisfy({ placed[$0] || !operations[$0].isRequired }) { return true }
        for candidate in operations.indices where !placed[candidate] && mayComeNext(candidate, placed: placed) {
            guard let next = apply(operations[candidate], to: state) else { continue }
            placed[candidate] = true
            if extend(placed: &placed, state: next) { return true }
            placed[candidate] = false
        }
        return false
    }

    /// Every ok operation that completed before the candidate's invoke is placed.
    private func mayComeNext(_ candidate: Int, placed: [Bool]) -> Bool {
        operations.indices.allSatisfy { other in
            placed[other] || (operations[other].completion.map { $0 > operations[candidate].invoke } ?? true)
        }
    }

    private func apply(_ operation: Operation, to state: [String: String]) -> [String: String]? {
        var next = state
        for step in operation.steps {
            let place = operation.cell + "\u{0}" + step.key
            if step.isWrite {
                next[place] = step.value
            } else if next[place] != step.value {
                return nil
            }
        }
        return next
    }
}
