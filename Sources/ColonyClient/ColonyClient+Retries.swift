import ColonyAPI
import enum ColonyCore.AttemptOutcome
import enum ColonyCore.RetryAction
import enum ColonyCore.RetryGiveUp
import struct ColonyCore.RetryMachine
import enum ColonyCore.RetryOutcome
import struct ColonyCore.RetryPolicy
import Tracing

/// How an operation reaches its cell: the shell of ColonyCore's `RetryMachine`, which decides
/// hints, retries, backoff, the retry budget and when to give up. The shell sends each
/// attempt, tells the machine what came of it, and carries out what it decides.
extension ColonyClient {
    /// Runs one cell operation until it succeeds, fails definitely, or runs out of time or
    /// retry budget. Every attempt carries the same request id.
    ///
    /// The operation travels on the session with its node (see `NodeSession`); `operation`
    /// makes it from the request header, and `reply` takes its reply out of the session's
    /// result (nil if the result holds another kind).
    ///
    /// With a tracer in the policy, the operation is a client span whose context the
    /// request carries (see `TraceParent`); a failed operation's span has error status,
    /// named by its error (`ColonyError.name(of:)`).
    func run<Reply: ErrorCarryingReply>(
        _ cell: String, isWrite: Bool,
        _ operation: (Colony_V1_RequestHeader) -> Colony_V1_SessionOperation.OneOf_Operation,
        reply extract: (Colony_V1_SessionResult.OneOf_Reply) -> Reply?
    ) async throws -> Reply {
        guard let tracer = policy.tracer else {
            return try await send(cell, isWrite: isWrite, traceParent: nil, operation, reply: extract)
        }
        let name = Self.spanName(operation(Colony_V1_RequestHeader()))
        // The error leaves the span as a result, not thrown: `withSpan` would set a status of
        // its own over ours, without the error's name.
        let result: Result<Reply, any Error> = await tracer.withSpan(name, ofKind: .client) { span in
            span.attributes["colony.cell"] = cell
            var carrier = Colony_V1_RequestHeader()
            tracer.inject(span.context, into: &carrier, using: RequestHeaderInjector())
            do {
                return .success(try await send(cell, isWrite: isWrite, traceParent: carrier.traceID, operation, reply: extract))
            } catch {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: ColonyError.name(of: error)))
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The span of an operation: `colony.get`, `colony.put`, ….
    static func spanName(_ operation: Colony_V1_SessionOperation.OneOf_Operation) -> String {
        switch operation {
        case .get: return "colony.get"
        case .put: return "colony.put"
        case .delete: return "colony.delete"
        case .compareAndSet: return "colony.compare_and_set"
        case .increment: return "colony.increment"
        case .list: return "colony.list"
        case .transaction: return "colony.transaction"
        case .deleteCell: return "colony.delete_cell"
        case .restore: return "colony.restore"
        }
    }

    /// `run` without its span: every attempt's header carries `traceParent`, if any.
    private func send<Reply: ErrorCarryingReply>(
        _ cell: String, isWrite: Bool, traceParent: String?,
        _ operation: (Colony_V1_RequestHeader) -> Colony_V1_SessionOperation.OneOf_Operation,
        reply extract: (Colony_V1_SessionResult.OneOf_Reply) -> Reply?
    ) async throws -> Reply {
        // One write per cell in flight: the others wait their turn here.
        if isWrite { await startWriting(cell) }
        defer { if isWrite { finishWriting(cell) } }
        var header = nextHeader(cell)
        if let traceParent { header.traceID = traceParent }
        let first = views[cell]?.members.first ?? seed(for: cell)
        let (outcome, last) = try await drive(cell, isWrite: isWrite, preferring: first) { target, timeout in
            var attemptHeader = header
            attemptHeader.expectedEpoch = views[cell]?.epoch ?? 0
            var request = Colony_V1_SessionOperation()
            request.operation = operation(attemptHeader)
            let report = await attempt(request, cell: cell, isWrite: isWrite, at: target, timeout: .nanoseconds(timeout), extract)
            return (report.outcome, report)
        }
        return try ended(outcome, last: last ?? AttemptReport(outcome: .timedOut, problem: "no attempt made"))
    }

    /// Carries out the retry machine's decisions for one operation on `cell` until it ends:
    /// `attempt(target, timeout)` sends one attempt and says what came of it, with a report
    /// of its own. Returns how the operation ended, and the last attempt's report.
    func drive<Report>(
        _ cell: String, isWrite: Bool, preferring first: String?,
        _ attempt: (String, UInt64) async -> (AttemptOutcome<String>, Report)
    ) async throws -> (outcome: RetryOutcome, last: Report?) {
        var last: Report?
        let view = views[cell] ?? CellView()
        var retry = RetryMachine(policy: policy.retryPolicy, isWrite: isWrite, leader: view.leader, members: view.members, seeds: seeds)
        var random = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        var elapsed: UInt64 { (ContinuousClock.now - started).wholeNanoseconds }
        var action = retry.start(preferring: first, now: 0)
        while true {
            switch action {
            case .send(let target, let timeout):
                let (outcome, report) = await attempt(target, timeout)
                last = report
                action = retry.attemptEnded(outcome, at: target, now: elapsed, budget: &budget, random: &random)
                if views[cell] != nil { views[cell]?.leader = retry.leader }
            case .wait(let pause, _):
                try await Task.sleep(for: .nanoseconds(pause))
                action = retry.waitEnded(now: elapsed)
            case .askDirectory:
                let members = await directoryHint(for: cell)
                if let members { views[cell, default: CellView()].members = members }
                action = retry.directoryAnswered(members: members, now: elapsed)
            case .keepWaiting:
                preconditionFailure("Invalid state: the client awaits every attempt, so none answers late")
            case .finish(let outcome):
                return (outcome, last)
            }
        }
    }

    /// The header of the next request to `cell`: the next sequence number of this client's
    /// session there, which every attempt of the request keeps.
    private func nextHeader(_ cell: String) -> Colony_V1_RequestHeader {
        var view = views[cell] ?? CellView()
        view.sequence += 1
        views[cell] = view
        var header = Colony_V1_RequestHeader()
        header.cell = cell
        header.clientID = clientID
        header.sequence = view.sequence
        header.opensSession = !view.sessionOpen
        return header
    }

    /// Sends one attempt to `target` and tells what came of it.
    private func attempt<Reply: ErrorCarryingReply>(
        _ request: Colony_V1_SessionOperation, cell: String, isWrite: Bool, at target: String, timeout: Duration,
        _ extract: (Colony_V1_SessionResult.OneOf_Reply) -> Reply?
    ) async -> AttemptReport<Reply> {
        let result: Colony_V1_SessionResult
        do {
            result = try await session(target).perform(request, timeout: timeout)
        } catch {
            let refused = TLSFailure(error)
            let problem = "\(target): \(refused.map { "\($0)" } ?? "\(error)")"
            if case .timedOut? = error as? SessionError { return AttemptReport(outcome: .timedOut, problem: problem) }
            if ConnectionRefusal.isRefusal(error) { return AttemptReport(outcome: .connectionRefused, problem: ConnectionRefusal.problem(at: target)) }
            return AttemptReport(outcome: .transportFailed(refusedByTLS: refused != nil), problem: problem)
        }
        let error: Colony_V1_Error
        switch result.reply {
        case .refused(let refusal)?:
            error = refusal
        case let answer?:
            guard let reply = extract(answer) else {
                error = Self.malformed("node \(target) answered with another kind of reply than the operation's")
                break
            }
            guard reply.hasError else {
                if isWrite { views[cell]?.sessionOpen = true }
                return AttemptReport(outcome: .succeeded, problem: "", reply: reply)
            }
            error = reply.error
        case nil:
            error = Self.malformed("node \(target) answered with an empty result")
        }
        let outcome = self.outcome(of: error, cell: cell, isWrite: isWrite)
        return AttemptReport(outcome: outcome, problem: "\(target): \(error.message)", error: error)
    }

    /// What an error a node answered means for the operation; learns what it says of the cell.
    private func outcome(of error: Colony_V1_Error, cell: String, isWrite: Bool) -> AttemptOutcome<String> {
        switch error.code {
        case .notLeader:
            let learned = learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
            return .redirect(leader: error.leaderAddress.isEmpty ? nil : error.leaderAddress, members: learned)
        case .staleEpoch:
            return .staleEpoch(members: learn(cell, error.configuration, hasConfiguration: error.hasConfiguration))
        case .unavailable:
            return .unavailable
        case .cellNotFound where error.cellDeleted:
            return .failed
        case .cellNotFound:
            return .cellNotFound
        case .sessionExpired:
            views[cell]?.sessionOpen = false
            return .sessionExpired
        case .unauthorized:
            // Refused before the cell saw it: no session was opened.
            return .failed
        default:
            // The cell decided the request: a write's session exists now.
            if isWrite { views[cell]?.sessionOpen = true }
            return .failed
        }
    }

    /// The reply of an operation that ended with `outcome`, or the error it ended with.
    private func ended<Reply>(_ outcome: RetryOutcome, last: AttemptReport<Reply>) throws -> Reply {
        switch outcome {
        case .succeeded:
            guard let reply = last.reply else { preconditionFailure("Invalid state: a success without a reply") }
            return reply
        case .failed:
            guard let error = last.error else { preconditionFailure("Invalid state: a definite failure without an error") }
            throw ColonyError(error)
        case .notApplied(let reason):
            throw ColonyError.unavailable(message(reason, last))
        case .outcomeUnknown(let reason):
            throw ColonyError.outcomeUnknown(message(reason, last))
        }
    }

    /// Why the client gave up, in words.
    private func message<Reply>(_ reason: RetryGiveUp, _ last: AttemptReport<Reply>) -> String {
        switch reason {
        case .deadlinePassed: return "no answer within \(policy.deadline) (\(last.problem))"
        case .budgetSpent: return "the retry budget is spent (\(last.problem)); the colony is struggling, try later"
        case .refusedByEveryNode: return last.problem
        case .sessionExpired: return last.error?.message ?? last.problem
        }
    }

    /// A reply that does not fit its operation, taken as a node that could not answer.
    private static func malformed(_ message: String) -> Colony_V1_Error {
        var error = Colony_V1_Error()
        error.code = .unavailable
        error.message = message + "; retrying"
        return error
    }

    /// Full jitter: a random pause between zero and the cap after `attempt` attempts, as the
    /// retry policy draws it.
    func backOff(_ attempt: Int) async throws {
        var random = SystemRandomNumberGenerator()
        try await Task.sleep(for: .nanoseconds(policy.retryPolicy.backoffNanoseconds(afterAttempts: attempt, using: &random)))
    }
}

/// What one attempt came to: its outcome for the retry machine, and what the client reports
/// if it is the last — the reply, the node's error, or the problem in words.
struct AttemptReport<Reply> {
    var outcome: AttemptOutcome<String>
    var problem: String
    var reply: Reply?
    var error: Colony_V1_Error?
}

extension ColonyClient.Policy {
    /// The policy in the retry machine's terms.
    var retryPolicy: RetryPolicy {
        RetryPolicy(
            attemptTimeoutNanoseconds: attemptTimeout.wholeNanoseconds, deadlineNanoseconds: deadline.wholeNanoseconds,
            backoffBaseNanoseconds: backoffBase.wholeNanoseconds, backoffMaxNanoseconds: backoffMax.wholeNanoseconds)
    }
}

extension Duration {
    /// The duration in whole nanoseconds; zero if negative.
    var wholeNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (total, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : total.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000)).partialValue
    }
}
