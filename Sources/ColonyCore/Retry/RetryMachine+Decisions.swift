/// What the machine decides after each attempt: follow a hint, retry elsewhere after a
/// pause, ask the directory, or give up.
extension RetryMachine {
    /// The current attempt's outcome.
    mutating func answered(
        _ outcome: AttemptOutcome<Target>, by target: Target, now: UInt64,
        budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target> {
        switch outcome {
        case .succeeded:
            return succeeded(by: target, budget: &budget)
        case .failed:
            return finish(.failed)
        case .redirect(let hint?, _):
            leader = hint
            guard hint != target, hintsFollowed < policy.hintsFollowedMax else {
                return retry(to: hint, now: now, budget: &budget, random: &random)
            }
            hintsFollowed += 1
            return send(to: hint, now: now)
        case .redirect(nil, _):
            leader = nil
            return leaderUnknown(at: target, now: now, budget: &budget, random: &random)
        case .staleEpoch:
            return retry(to: nextTarget(after: target), now: now, budget: &budget, random: &random)
        case .unavailable:
            return retry(to: leader ?? nextTarget(after: target), now: now, budget: &budget, random: &random)
        case .cellNotFound:
            return notFound(at: target, now: now, budget: &budget, random: &random)
        case .sessionExpired:
            return giveUp(.sessionExpired)
        case .transportFailed(let refusedByTLS):
            if leader == target { leader = nil }
            if refusedByTLS {
                if !self.refusedByTLS.contains(target) { self.refusedByTLS.append(target) }
                // Every node refused this client's TLS: asking again will not change their minds.
                if candidates.allSatisfy(self.refusedByTLS.contains) { return giveUp(.refusedByEveryNode) }
            }
            return retry(to: nextTarget(after: target), now: now, budget: &budget, random: &random)
        case .connectionRefused:
            if leader == target { leader = nil }
            let next = nextTarget(after: target)
            // A node that is down costs the colony nothing: asking one not asked yet is
            // discovery, as following a hint is, with no pause and no budget spent.
            guard tried.contains(next) else { return send(to: next, now: now) }
            return retry(to: next, now: now, budget: &budget, random: &random)
        case .timedOut:
            if leader == target { leader = nil }
            return retry(to: nextTarget(after: target), now: now, budget: &budget, random: &random)
        }
    }

    /// A success from `target`: it leads the cell, and the budget earns back a retry.
    private mutating func succeeded(by target: Target, budget: inout RetryBudget) -> RetryAction<Target> {
        leader = target
        budget.earn()
        return finish(.succeeded)
    }

    /// An answer to an earlier attempt (the same request): taken if definite, else ignored.
    mutating func lateAnswer(_ outcome: AttemptOutcome<Target>, from target: Target, budget: inout RetryBudget) -> RetryAction<Target> {
        switch outcome {
        case .succeeded:
            return succeeded(by: target, budget: &budget)
        case .failed:
            return finish(.failed)
        case .redirect, .staleEpoch, .unavailable, .cellNotFound, .sessionExpired, .transportFailed, .connectionRefused, .timedOut:
            return .keepWaiting
        }
    }

    /// A node hosts no replica of the cell. While the client knows the cell's members, one
    /// of them may not have made its replica yet (a cell just created): try on until the
    /// deadline. Otherwise every candidate is asked once, then the directory, once.
    mutating func notFound(
        at target: Target, now: UInt64, budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target> {
        let next = nextTarget(after: target)
        guard tried.contains(next), members.isEmpty else {
            return retry(to: next, now: now, budget: &budget, random: &random)
        }
        guard !hasAskedDirectory else { return finish(.failed) }
        hasAskedDirectory = true
        phase = .askingDirectory
        return .askDirectory
    }

    /// `target` knows no leader of the cell: its members are electing one, as they do when
    /// their leader's node stops answering or comes back. A member not asked yet may know
    /// more, or have won: asking it is discovery, at once and free, as following a hint is.
    /// Once every candidate was asked, the operation waits the election out, pausing before
    /// each ask as a retry does but spending no budget for its first `electionWaitsMax` asks:
    /// an election is the colony healing, not a storm, and a node's restart makes every cell
    /// it led elect at once, which must not empty its clients' budgets. Past them, each ask is
    /// a retry like any other.
    mutating func leaderUnknown(
        at target: Target, now: UInt64, budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target> {
        let next = nextTarget(after: target)
        guard tried.contains(next) else { return send(to: next, now: now) }
        guard electionWaits < policy.electionWaitsMax else { return retry(to: next, now: now, budget: &budget, random: &random) }
        electionWaits += 1
        return pause(before: next, now: now, random: &random)
    }

    /// Retries at `target` after a pause, spending one token of `budget`.
    mutating func retry(
        to target: Target, now: UInt64, budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target> {
        guard elapsedNanoseconds(at: now) < policy.deadlineNanoseconds else { return giveUp(.deadlinePassed) }
        guard budget.spend() else { return giveUp(.budgetSpent) }
        return pause(before: target, now: now, random: &random)
    }

    /// Pauses, with the backoff the attempts so far call for, before asking `target`; gives
    /// up if the deadline has passed.
    private mutating func pause(before target: Target, now: UInt64, random: inout some RandomNumberGenerator) -> RetryAction<Target> {
        let elapsed = elapsedNanoseconds(at: now)
        guard elapsed < policy.deadlineNanoseconds else { return giveUp(.deadlinePassed) }
        let pause = policy.backoffNanoseconds(afterAttempts: attempts, using: &random)
        phase = .pausing(before: target)
        return .wait(nanoseconds: min(pause, policy.deadlineNanoseconds - elapsed), then: target)
    }

    /// Sends the next attempt to `target` now, unless the deadline has passed.
    mutating func send(to target: Target, now: UInt64) -> RetryAction<Target> {
        let elapsed = elapsedNanoseconds(at: now)
        guard elapsed < policy.deadlineNanoseconds else { return giveUp(.deadlinePassed) }
        attempts += 1
        if !tried.contains(target) { tried.append(target) }
        phase = .awaitingAnswer(from: target)
        return .send(to: target, timeoutNanoseconds: min(policy.attemptTimeoutNanoseconds, policy.deadlineNanoseconds - elapsed))
    }

    /// Gives up for `reason`: a write that may have reached a node has an unknown outcome.
    mutating func giveUp(_ reason: RetryGiveUp) -> RetryAction<Target> {
        switch (isWrite, reach) {
        case (true, .mayHaveReachedNode): return finish(.outcomeUnknown(reason))
        case (true, .noNode), (false, _): return finish(.notApplied(reason))
        }
    }

    mutating func finish(_ outcome: RetryOutcome) -> RetryAction<Target> {
        phase = .finished(outcome)
        return .finish(outcome)
    }

    /// The members an answer taught the shell.
    mutating func learnMembers(from outcome: AttemptOutcome<Target>) {
        switch outcome {
        case .redirect(_, let learned?), .staleEpoch(let learned?):
            membersLearned(learned)
        case .redirect, .staleEpoch, .succeeded, .failed, .unavailable, .cellNotFound, .sessionExpired, .transportFailed, .connectionRefused,
             .timedOut:
            break
        }
    }

    func elapsedNanoseconds(at now: UInt64) -> UInt64 {
        precondition(now >= startedAt, "Invalid state: the clock went back from \(startedAt) to \(now)")
        return now - startedAt
    }
}
