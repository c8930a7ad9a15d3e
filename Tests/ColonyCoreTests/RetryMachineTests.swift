import ColonyCore
import Testing

@Suite("one operation's retries: hints, budget, backoff, deadline, targets")
struct RetryMachineTests {
    static let members = ["n1", "n2", "n3"]

    @Test("a leader's hint is followed at once without spending the budget, a few hops at most")
    func hintsAreFreeAndBounded() {
        var script = RetryScript(members: Self.members, first: "n1", budget: RetryBudget(tokensMax: 0))
        for hint in ["n2", "n3", "n1"] {
            script.answer(.redirect(leader: hint, members: nil))
            #expect(script.action == .send(to: hint, timeoutNanoseconds: 100))
        }
        // The fourth hint in a row is a retry like any other, and this client may not retry.
        script.answer(.redirect(leader: "n2", members: nil))
        #expect(script.outcome == .outcomeUnknown(.budgetSpent))
        #expect(script.sentTo == ["n1", "n2", "n3", "n1"])
    }

    @Test("a replica with no guess of the leader sends the request at once to a member not asked yet, spending nothing")
    func leaderUnknownAsksTheOthers() {
        var script = RetryScript(members: Self.members, first: "n1", budget: RetryBudget(tokensMax: 0))
        script.answer(.redirect(leader: nil, members: nil))
        #expect(script.action == .send(to: "n2", timeoutNanoseconds: 100))
        script.answer(.redirect(leader: nil, members: nil))
        #expect(script.action == .send(to: "n3", timeoutNanoseconds: 100))
        script.answer(.succeeded)
        #expect(script.outcome == .succeeded)
    }

    @Test("once every member says the leader is not known, the election is waited out: pauses that spend nothing, a few, then retries that do")
    func electionIsWaitedOut() {
        var policy = RetryScript.policy
        policy.deadlineNanoseconds = 100_000
        policy.electionWaitsMax = 2
        var script = RetryScript(policy: policy, isWrite: false, members: Self.members, first: "n1", budget: RetryBudget(tokensMax: 1))
        // The last member's answer starts the first wait.
        for _ in Self.members { script.answer(.redirect(leader: nil, members: nil)) }
        for wait in 1...policy.electionWaitsMax {
            guard case .wait = script.action else { Issue.record("expected a pause: \(script.action)"); return }
            #expect(script.budget.tenths == 10, "election wait \(wait) spent nothing")
            script.endPause()
            script.answer(.redirect(leader: nil, members: nil))
        }
        guard case .wait = script.action else { Issue.record("expected a retry: \(script.action)"); return }
        #expect(script.budget.tenths == 0, "past the election waits, an ask is a retry")
        script.endPause()
        script.answer(.redirect(leader: nil, members: nil))
        #expect(script.outcome == .notApplied(.budgetSpent))
        #expect(script.sentTo == ["n1", "n2", "n3", "n1", "n2", "n3"])
    }

    /// A node that led a third of a client's cells restarts: each of those cells elects a new
    /// leader, and each cell's first operation meets members that know no leader yet, some
    /// several times while the election runs. Were those answers retries, they would outnumber
    /// the successes ten to one and empty the budget, and reads of cells that serve a moment
    /// later would fail as "the retry budget is spent".
    @Test("a client's budget survives the elections that follow a node's restart")
    func electionsDoNotDrainTheBudget() {
        var budget = RetryBudget(tokensMax: 10)
        for _ in 0..<1_000 {
            var script = RetryScript(isWrite: false, members: Self.members, first: "n1", budget: budget)
            for _ in 0..<2 * Self.members.count {
                script.answer(.redirect(leader: nil, members: nil))
                if case .wait = script.action { script.endPause() }
            }
            script.answer(.succeeded)
            #expect(script.outcome == .succeeded)
            budget = script.budget
        }
        #expect(budget.tenths == budget.tenthsMax)
    }

    @Test("every retry spends a token of the shared budget, and an empty budget gives up at once")
    func budgetExhaustionGivesUp() {
        var script = RetryScript(isWrite: false, members: Self.members, budget: RetryBudget(tokensMax: 2))
        script.timeOutAndPause()
        script.timeOutAndPause()
        #expect(script.budget.tenths == 0)
        script.timeOut()
        #expect(script.outcome == .notApplied(.budgetSpent))
        #expect(script.sentTo.count == 3)
    }

    @Test("a success earns a tenth of a retry back")
    func successEarns() {
        var script = RetryScript(members: Self.members, budget: RetryBudget(tokensMax: 1))
        script.timeOutAndPause()
        script.answer(.succeeded)
        #expect(script.outcome == .succeeded)
        #expect(script.budget.tenths == 1)
        #expect(script.machine.leader == "n2")
    }

    @Test("a write given up after a timeout has an unknown outcome; a read given up did not apply")
    func ambiguousOutcomes() {
        var write = RetryScript(isWrite: true, members: Self.members, budget: RetryBudget(tokensMax: 0))
        write.timeOut()
        #expect(write.outcome == .outcomeUnknown(.budgetSpent))
        var read = RetryScript(isWrite: false, members: Self.members, budget: RetryBudget(tokensMax: 0))
        read.timeOut()
        #expect(read.outcome == .notApplied(.budgetSpent))
    }

    @Test("a write refused at every node's TLS handshake was never sent, so it certainly did not apply")
    func refusedByTLSEverywhere() {
        var script = RetryScript(members: ["n1", "n2"], seeds: ["n2", "s1"])
        script.answer(.transportFailed(refusedByTLS: true))
        script.endPause()
        script.answer(.transportFailed(refusedByTLS: true))
        script.endPause()
        #expect(script.sentTo == ["n1", "n2", "s1"])
        script.answer(.transportFailed(refusedByTLS: true))
        #expect(script.outcome == .notApplied(.refusedByEveryNode))
    }

    @Test("a write refused by TLS at one node and broken off at another may have applied")
    func refusedThenBroken() {
        var script = RetryScript(members: ["n1", "n2"], budget: RetryBudget(tokensMax: 1))
        script.answer(.transportFailed(refusedByTLS: true))
        script.endPause()
        script.answer(.transportFailed(refusedByTLS: false))
        #expect(script.outcome == .outcomeUnknown(.budgetSpent))
    }

    @Test("a refused connection sends the request at once to a node not asked yet, spending nothing; once every candidate was asked it is a retry like any other")
    func refusedConnectionsAreFreeOncePerCandidate() {
        var script = RetryScript(members: ["n1", "n2"], seeds: ["s1"], first: "n1", budget: RetryBudget(tokensMax: 1))
        script.answer(.connectionRefused)
        #expect(script.action == .send(to: "n2", timeoutNanoseconds: 100))
        script.answer(.connectionRefused)
        #expect(script.action == .send(to: "s1", timeoutNanoseconds: 100))
        #expect(script.budget.tenths == 10)
        script.answer(.connectionRefused)
        guard case .wait(_, then: "n1") = script.action else { Issue.record("\(script.action)"); return }
        #expect(script.budget.tenths == 0)
    }

    /// A client of many cells, with a node down that was first among the members it knows
    /// for a third of them: each of those cells' first operation meets the dead node first.
    /// Were those refusals retries, they would outnumber the successes ten to one and empty
    /// the budget, and every later operation that met the dead node first would fail at once.
    @Test("a client's budget survives a down node met first by many operations")
    func downNodeDoesNotDrainTheBudget() {
        var budget = RetryBudget(tokensMax: 10)
        for _ in 0..<1_000 {
            var script = RetryScript(isWrite: true, members: ["down", "n2", "n3"], first: "down", budget: budget)
            script.answer(.connectionRefused)
            script.answer(.succeeded)
            #expect(script.outcome == .succeeded)
            budget = script.budget
        }
        #expect(budget.tenths == budget.tenthsMax)
    }

    @Test("a write every attempt of which was refused, at the connection or at the TLS handshake, certainly did not apply")
    func refusedWriteDidNotApply() {
        var script = RetryScript(isWrite: true, members: ["n1", "n2"], first: "n1", budget: RetryBudget(tokensMax: 0))
        script.answer(.connectionRefused)
        script.answer(.transportFailed(refusedByTLS: true))
        #expect(script.outcome == .notApplied(.budgetSpent))
        var broken = RetryScript(isWrite: true, members: ["n1", "n2"], first: "n1", budget: RetryBudget(tokensMax: 0))
        broken.answer(.connectionRefused)
        broken.answer(.timedOut)
        #expect(broken.outcome == .outcomeUnknown(.budgetSpent))
    }

    @Test("a session the cell forgot leaves a write's outcome unknown and a read unapplied")
    func sessionExpired() {
        var write = RetryScript(isWrite: true, members: Self.members)
        write.answer(.sessionExpired)
        #expect(write.outcome == .outcomeUnknown(.sessionExpired))
        var read = RetryScript(isWrite: false, members: Self.members)
        read.answer(.sessionExpired)
        #expect(read.outcome == .notApplied(.sessionExpired))
    }

    @Test("no attempt waits past the deadline, and the deadline ends the operation")
    func deadline() {
        var policy = RetryScript.policy
        policy.deadlineNanoseconds = 250
        var script = RetryScript(policy: policy, members: Self.members)
        while script.outcome == nil {
            switch script.action {
            case .send(_, let timeout):
                #expect(script.now + timeout <= 250)
                script.timeOut()
            case .wait(let pause, _):
                #expect(script.now + pause <= 250)
                script.endPause()
            case .askDirectory, .keepWaiting, .finish:
                Issue.record("unexpected \(script.action)")
                return
            }
        }
        #expect(script.outcome == .outcomeUnknown(.deadlinePassed))
        #expect(script.now == 250)
    }

    @Test("a retry asks every member, then every seed, once before asking any again, then each in turn")
    func targetRotation() {
        var script = RetryScript(members: ["n1", "n2", "n3"], seeds: ["s1", "n2"], first: "n2")
        for _ in 0..<6 { script.timeOutAndPause() }
        #expect(script.sentTo == ["n2", "n1", "n3", "s1", "n1", "n2", "n3"])
    }

    /// Seed 109864 of the simulator: a fresh client's cache still held the cell's first
    /// members, three of them down for good and one removed. Picking a random other member
    /// after each timeout, it asked the three dead nodes eight times in a row and ran out
    /// of time on a cell that was answering everyone else.
    @Test("a fresh client whose cached members are partly down reaches a live one in time")
    func deadMembersAreNotAskedTwiceFirst() {
        let simulatorPolicy = RetryPolicy(
            attemptTimeoutNanoseconds: 100_000_000, deadlineNanoseconds: 1_000_000_000, backoffBaseNanoseconds: 5_000_000,
            backoffMaxNanoseconds: 50_000_000, backoffGrowth: .linear)
        let down: Set = ["n2", "n3", "n8"]
        var script = RetryScript(
            policy: simulatorPolicy, isWrite: false, members: ["n1", "n2", "n3", "n5", "n6", "n8", "n9"], first: "n8")
        while let target = script.target, down.contains(target) { script.timeOutAndPause() }
        #expect(script.sentTo == ["n8", "n1"])
        // The removed member knows only an old configuration; the client goes on from it.
        script.answer(.staleEpoch(members: ["n2", "n3", "n5", "n6", "n8", "n9", "n10"]))
        script.endPause()
        while let target = script.target, down.contains(target) { script.timeOutAndPause() }
        #expect(script.sentTo == ["n8", "n1", "n2", "n3", "n5"])
        script.answer(.redirect(leader: "n9", members: ["n2", "n4", "n5", "n7", "n9", "n10", "n11"]))
        #expect(script.target == "n9")
        script.answer(.succeeded)
        #expect(script.outcome == .succeeded)
        #expect(script.now < 1_000_000_000)
    }

    @Test("an unavailable cell is asked again at its leader after a pause")
    func unavailableRetriesTheLeader() {
        var script = RetryScript(members: Self.members, first: "n1")
        script.answer(.redirect(leader: "n3", members: nil))
        script.answer(.unavailable)
        guard case .wait(_, then: "n3") = script.action else { Issue.record("\(script.action)"); return }
        script.endPause()
        #expect(script.sentTo == ["n1", "n3", "n3"])
    }

    @Test("members learned replace the candidates and forget a leader not among them")
    func membersLearned() {
        var script = RetryScript(leader: "n1", members: Self.members)
        script.answer(.staleEpoch(members: ["n4", "n5", "n6"]))
        #expect(script.machine.leader == nil)
        script.endPause()
        #expect(script.target == "n4")
    }

    @Test("with no member known, the seeds are asked, then the directory once")
    func directoryHint() {
        var script = RetryScript(isWrite: false, seeds: ["s1", "s2"])
        script.answer(.cellNotFound)
        script.endPause()
        script.answer(.cellNotFound)
        #expect(script.action == .askDirectory)
        script.directoryAnswers(["n7", "n8"])
        #expect(script.action == .send(to: "n7", timeoutNanoseconds: 100))
        // Members are known now: one may not have made its replica yet, so the client tries on.
        script.answer(.cellNotFound)
        guard case .wait(_, then: "n8") = script.action else { Issue.record("\(script.action)"); return }
    }

    @Test("a cell that no seed hosts and the directory does not know is not found")
    func directoryKnowsNothing() {
        var script = RetryScript(isWrite: false, seeds: ["s1"])
        script.answer(.cellNotFound)
        #expect(script.action == .askDirectory)
        script.directoryAnswers(nil)
        #expect(script.outcome == .failed)
    }

    @Test("a late answer of an earlier attempt ends the operation if definite, and is ignored otherwise")
    func lateAnswers() {
        var script = RetryScript(members: Self.members, first: "n1")
        script.timeOut()
        script.answer(.redirect(leader: nil, members: nil), from: "n1")
        #expect(script.action == .keepWaiting)
        #expect(script.machine.phase == .pausing(before: "n2"))
        script.answer(.succeeded, from: "n1")
        #expect(script.outcome == .succeeded)
        #expect(script.machine.leader == "n1")
    }
}
