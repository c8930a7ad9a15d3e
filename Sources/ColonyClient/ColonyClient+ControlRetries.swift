import ColonyAPI
import GRPCCore
import enum ColonyCore.AttemptOutcome
import struct ColonyCore.RetryMachine

/// What one attempt of a control-plane call came to: the outcome for the retry machine, the
/// call's answer when the attempt decided it (a success, or a refusal the caller acts on),
/// the node's error otherwise, and the problem in words.
struct ControlAttempt<Answer> {
    var outcome: AttemptOutcome<String>
    var answer: Answer?
    var error: Colony_V1_Error?
    var problem = ""
}

/// How the control plane's calls reach a cell's leader: the same retry machine as the cell
/// operations (`run`), over unary calls of the control service.
extension ColonyClient {
    /// Runs a control-plane call on `cell`: `call` sends it to one node and says what came of
    /// it; the retry machine decides where to send it next and when to give up. Returns the
    /// answer that ended it, throws the node's error for a definite failure without one, and
    /// returns `gaveUp(problem)` when no node answered in time.
    func runControl<Answer>(
        _ cell: String,
        _ call: (NodeConnection, String, CallOptions) async throws -> ControlAttempt<Answer>,
        gaveUp: (String) -> Answer
    ) async throws -> Answer {
        let view = views[cell] ?? CellView()
        var retry = RetryMachine(policy: policy.retryPolicy, isWrite: true, leader: view.leader, members: view.members, seeds: seeds)
        var random = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        var elapsed: UInt64 { (ContinuousClock.now - started).wholeNanoseconds }
        var action = retry.start(preferring: nil, now: 0)
        var last = ControlAttempt<Answer>(outcome: .timedOut, problem: "no node asked")
        while true {
            switch action {
            case .send(let target, let timeout):
                var options = CallOptions.defaults
                options.timeout = .nanoseconds(Int64(clamping: timeout))
                do {
                    last = try await call(connection(target), target, options)
                } catch {
                    let refused = TLSFailure(error)
                    last = ControlAttempt(
                        outcome: .transportFailed(refusedByTLS: refused != nil),
                        problem: "\(target): \(refused.map { "\($0)" } ?? "\(error)")")
                }
                action = retry.attemptEnded(last.outcome, at: target, now: elapsed, budget: &budget, random: &random)
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
            case .finish(.succeeded), .finish(.failed):
                if let answer = last.answer { return answer }
                guard let error = last.error else { preconditionFailure("Invalid state: a control call ended without an answer or an error") }
                throw ColonyError(error)
            case .finish(.notApplied), .finish(.outcomeUnknown):
                return gaveUp(last.problem)
            }
        }
    }

    /// What a node's `error` to a control-plane call means for the retries; learns what it
    /// says of the cell.
    func controlAttempt<Answer>(_ error: Colony_V1_Error, cell: String, at target: String) -> ControlAttempt<Answer> {
        let problem = "\(target): \(error.message)"
        switch error.code {
        case .notLeader:
            let learned = learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
            return ControlAttempt(
                outcome: .redirect(leader: error.leaderAddress.isEmpty ? nil : error.leaderAddress, members: learned), error: error,
                problem: problem)
        case .unavailable:
            return ControlAttempt(outcome: .unavailable, error: error, problem: problem)
        case .cellNotFound where !error.cellDeleted:
            return ControlAttempt(outcome: .cellNotFound, error: error, problem: problem)
        default:
            return ControlAttempt(outcome: .failed, error: error, problem: problem)
        }
    }
}
