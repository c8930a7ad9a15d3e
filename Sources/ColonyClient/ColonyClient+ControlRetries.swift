import ColonyAPI
import GRPCCore
import enum ColonyCore.AttemptOutcome

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
        let (outcome, report) = try await CallID.operation { try await drive(cell, isWrite: true, preferring: nil) { target, timeout in
            var options = CallOptions.defaults
            options.timeout = .nanoseconds(Int64(clamping: timeout))
            let attempt: ControlAttempt<Answer>
            do {
                attempt = try await call(connection(target), target, options)
            } catch where ConnectionRefusal.isRefusal(error) {
                attempt = ControlAttempt(outcome: .connectionRefused, problem: ConnectionRefusal.problem(at: target))
            } catch {
                let refused = TLSFailure(error)
                attempt = ControlAttempt(
                    outcome: .transportFailed(refusedByTLS: refused != nil), problem: "\(target): \(refused.map { "\($0)" } ?? "\(error)")")
            }
            return (attempt.outcome, attempt)
        } }
        let last = report ?? ControlAttempt<Answer>(outcome: .timedOut, problem: "no node asked")
        switch outcome {
        case .succeeded, .failed:
            if let answer = last.answer { return answer }
            guard let error = last.error else { preconditionFailure("Invalid state: a control call ended without an answer or an error") }
            throw ColonyError(error)
        case .notApplied, .outcomeUnknown:
            return gaveUp(last.problem)
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
