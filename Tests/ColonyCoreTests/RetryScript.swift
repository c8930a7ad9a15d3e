import ColonyCore

/// One operation driven by hand through a `RetryMachine`, on a clock the script advances:
/// each step does what the last action asked for and reports how it ended.
struct RetryScript {
    var machine: RetryMachine<String>
    var budget: RetryBudget
    var random = SplitMix64(seed: 7)
    var now: UInt64 = 0
    private(set) var action: RetryAction<String>
    /// Every node an attempt went to, in order.
    private(set) var sentTo: [String] = []

    /// Nanoseconds: each attempt waits 100 at most, the operation 1,000; pauses grow from
    /// 10 (doubling) up to 40.
    static let policy = RetryPolicy(
        attemptTimeoutNanoseconds: 100, deadlineNanoseconds: 1_000, backoffBaseNanoseconds: 10, backoffMaxNanoseconds: 40)

    init(
        policy: RetryPolicy = Self.policy, isWrite: Bool = true, leader: String? = nil, members: [String] = [],
        seeds: [String] = [], first: String? = nil, budget: RetryBudget = .unlimited
    ) {
        machine = RetryMachine(policy: policy, isWrite: isWrite, leader: leader, members: members, seeds: seeds)
        self.budget = budget
        action = machine.start(preferring: first, now: 0)
        noteSend()
    }

    /// The node the current attempt went to.
    var target: String? {
        if case .awaitingAnswer(let target) = machine.phase { return target }
        return nil
    }

    /// How the operation ended, once it has.
    var outcome: RetryOutcome? {
        if case .finish(let outcome) = action { return outcome }
        return nil
    }

    /// The current attempt's node answers with `outcome`, `after` nanoseconds.
    mutating func answer(_ outcome: AttemptOutcome<String>, after elapsed: UInt64 = 1) {
        guard let target else { preconditionFailure("no attempt in flight: \(action)") }
        answer(outcome, from: target, after: elapsed)
    }

    /// `node` answers with `outcome` (an earlier attempt's answer, if it is not the current one).
    mutating func answer(_ outcome: AttemptOutcome<String>, from node: String, after elapsed: UInt64 = 1) {
        now += elapsed
        action = machine.attemptEnded(outcome, at: node, now: now, budget: &budget, random: &random)
        noteSend()
    }

    /// The current attempt gets no answer within its timeout.
    mutating func timeOut() {
        guard case .send(_, let timeout) = action else { preconditionFailure("no attempt in flight: \(action)") }
        answer(.timedOut, after: timeout)
    }

    /// The pause asked for ends.
    mutating func endPause() {
        guard case .wait(let pause, _) = action else { preconditionFailure("no pause asked for: \(action)") }
        now += pause
        action = machine.waitEnded(now: now)
        noteSend()
    }

    /// The directory answers with `members` (nil: it knows none).
    mutating func directoryAnswers(_ members: [String]?) {
        now += 1
        action = machine.directoryAnswered(members: members, now: now)
        noteSend()
    }

    /// Times the current attempt out and sits out the pause after it, if the operation goes on.
    mutating func timeOutAndPause() {
        timeOut()
        if case .wait = action { endPause() }
    }

    private mutating func noteSend() {
        if case .send(let node, _) = action { sentTo.append(node) }
    }
}
