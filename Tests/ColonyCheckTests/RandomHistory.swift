import ColonyCheck
import ColonyCore

/// Makes linearizable histories at random: a sequential simulation in which each operation
/// takes effect at one moment between its invoke and its completion, while other processes'
/// operations overlap it. Some operations fail without effect, some end in info with or
/// without effect, and some never end.
struct RandomHistory {
    /// The shape of the workload.
    struct Workload {
        var operationCount: Int
        var processCount: Int
        var cells: [String]
        var keys: [String]
        /// Cells whose operations are transactions over their keys.
        var transactionalCells: Set<String> = []
    }

    private enum Phase {
        case idle
        case invoked(HistoryEvent)
        case applied(HistoryEvent, completion: HistoryValue, tookEffect: Bool)
    }

    private var generator: SplitMix64
    private let workload: Workload
    private var events: [HistoryEvent] = []
    private var state: [String: String] = [:]
    private var written: [String] = []
    private var phases: [Phase]
    private var processNumbers: [Int]
    private var nextProcessNumber: Int
    private var time: UInt64 = 0

    /// A history of the workload, fixed by `seed`.
    static func make(seed: UInt64, _ workload: Workload) -> [HistoryEvent] {
        var history = RandomHistory(seed: seed, workload: workload)
        return history.run()
    }

    private init(seed: UInt64, workload: Workload) {
        generator = SplitMix64(seed: seed)
        self.workload = workload
        phases = Array(repeating: .idle, count: workload.processCount)
        processNumbers = Array(0..<workload.processCount)
        nextProcessNumber = workload.processCount
    }

    private mutating func run() -> [HistoryEvent] {
        var invoked = 0
        while invoked < workload.operationCount {
            let slot = Int.random(in: 0..<phases.count, using: &generator)
            switch phases[slot] {
            case .idle:
                phases[slot] = .invoked(emit(invokeFor(slot)))
                invoked += 1
            case .invoked(let invoke):
                phases[slot] = takeEffect(invoke)
            case .applied(let invoke, let completion, let tookEffect):
                complete(slot, invoke, completion, tookEffect)
            }
        }
        return events
    }

    private mutating func invokeFor(_ slot: Int) -> HistoryEvent {
        let cell = workload.cells.randomElement(using: &generator) ?? "c"
        let key = workload.keys.randomElement(using: &generator) ?? "k"
        let fresh = "v\(events.count)"
        let (function, value): (HistoryFunction, HistoryValue)
        if workload.transactionalCells.contains(cell) {
            let other = workload.keys.randomElement(using: &generator) ?? "k"
            (function, value) = (.txn, .transaction([readStep(key, nil), writeStep(other, fresh), readStep(other, nil)]))
        } else {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<4: (function, value) = (.read, .null)
            case 4..<7: (function, value) = (.write, .string(fresh))
            case 7..<9: (function, value) = (.cas, .pair(guessCurrent(cell, key), fresh))
            default: (function, value) = (.delete, .null)
            }
        }
        return HistoryEvent(
            index: 0, time: 0, process: processNumbers[slot], type: .invoke, function: function, cell: cell,
            key: function == .txn ? nil : key, value: value)
    }

    /// The current value most of the time, otherwise some earlier value or absent.
    private mutating func guessCurrent(_ cell: String, _ key: String) -> String? {
        if Bool.random(using: &generator) { return state[cell + "/" + key] }
        return written.randomElement(using: &generator)
    }

    /// Applies the operation to the simulated store, or decides it never takes effect.
    private mutating func takeEffect(_ invoke: HistoryEvent) -> Phase {
        guard Int.random(in: 0..<20, using: &generator) != 0 else {
            return .applied(invoke, completion: invoke.value, tookEffect: false)
        }
        let place = invoke.cell + "/" + (invoke.key ?? "")
        switch (invoke.function, invoke.value) {
        case (.read, _):
            return .applied(invoke, completion: state[place].map(HistoryValue.string) ?? .null, tookEffect: true)
        case (.write, .string(let value)):
            state[place] = value
            written.append(value)
        case (.cas, .pair(let expected, let new)):
            guard state[place] == expected else { return .applied(invoke, completion: invoke.value, tookEffect: false) }
            state[place] = new
            new.map { written.append($0) }
        case (.delete, _):
            state[place] = nil
        case (.txn, .transaction(let steps)):
            let results = steps.map { step in
                let stepPlace = invoke.cell + "/" + step.key
                switch step.kind {
                case .read:
                    return readStep(step.key, state[stepPlace])
                case .write:
                    state[stepPlace] = step.value
                    return step
                }
            }
            return .applied(invoke, completion: .transaction(results), tookEffect: true)
        case (.write, _), (.cas, _), (.txn, _):
            preconditionFailure("Invalid state: generated a malformed operation")
        }
        return .applied(invoke, completion: invoke.value, tookEffect: true)
    }

    private mutating func complete(_ slot: Int, _ invoke: HistoryEvent, _ completion: HistoryValue, _ tookEffect: Bool) {
        let roll = Int.random(in: 0..<20, using: &generator)
        let type: HistoryEventType = roll == 0 ? .info : (tookEffect ? .ok : .fail)
        var event = invoke
        event.type = type
        event.value = type == .ok ? completion : invoke.value
        emit(event)
        phases[slot] = .idle
        if type == .info {
            processNumbers[slot] = nextProcessNumber
            nextProcessNumber += 1
        }
    }

    @discardableResult
    private mutating func emit(_ event: HistoryEvent) -> HistoryEvent {
        var numbered = event
        time += UInt64.random(in: 0...1000, using: &generator)
        numbered.index = events.count
        numbered.time = time
        events.append(numbered)
        return numbered
    }
}
