import ColonyAPI
import GRPCCore
import GRPCNIOTransportHTTP2

/// Calls that are not a cell's operations: any node may answer them.
extension ColonyClient {
    /// Runs a call that any node can answer, trying each in turn. When no node answered (each
    /// timed out, was unreachable or busy), the nodes are asked again after a pause, until the
    /// policy's deadline: the calls that come here (creating a cell on the same members,
    /// reading what a node knows) may be asked twice. A node's failed answer arrives as a
    /// gRPC status and is read back in band (`ErrorCarryingReply.inBand`).
    func anyNode<Reply: ErrorCarryingReply>(
        targets: [String]? = nil,
        _ call: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Reply
    ) async throws -> Reply {
        try await CallID.operation { try await anyNodeRetrying(targets: targets, call) }
    }

    /// `anyNode`'s passes, in one operation.
    private func anyNodeRetrying<Reply: ErrorCarryingReply>(
        targets: [String]?,
        _ call: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Reply
    ) async throws -> Reply {
        let started = ContinuousClock.now
        var random = SystemRandomNumberGenerator()
        var passes = 0
        while true {
            do {
                return try await anyNodeOnce(targets: targets, call)
            } catch ColonyError.unavailable(let problem) {
                passes += 1
                let pause = Duration.nanoseconds(policy.retryPolicy.backoffNanoseconds(afterAttempts: passes, using: &random))
                guard ContinuousClock.now - started + pause + policy.attemptTimeout <= policy.deadline else {
                    throw ColonyError.unavailable(problem)
                }
                try await Task.sleep(for: pause)
            }
        }
    }

    /// One pass of `anyNode` over the nodes.
    private func anyNodeOnce<Reply: ErrorCarryingReply>(
        targets: [String]?,
        _ call: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Reply
    ) async throws -> Reply {
        var lastProblem = "no node to ask"
        var everyAnswerWasNotFound = true
        var seen: Set<String> = []
        for target in targets ?? seeds where seen.insert(target).inserted {
            var options = ColonyClient.callOptions
            options.timeout = policy.attemptTimeout
            do {
                let node = try connection(target)
                let reply = try await Reply.inBand { [options] in try await call(node.client, options) }
                if reply.hasError {
                    if reply.error.code == .notLeader, reply.error.hasConfiguration {
                        let members = reply.error.configuration.members.map(\.address).filter { !$0.isEmpty }
                        if !members.isEmpty { throw Redirect(members: members) }
                    }
                    if (reply.error.code == .cellNotFound && !reply.error.cellDeleted) || reply.error.code == .unavailable {
                        lastProblem = reply.error.message
                        everyAnswerWasNotFound = everyAnswerWasNotFound && reply.error.code == .cellNotFound
                        continue
                    }
                    // A definite answer, such as a refusal: every node enforces the same
                    // policy, so asking another would be refused too.
                    throw ColonyError(reply.error)
                }
                return reply
            } catch let error as ColonyError {
                throw error
            } catch let redirect as Redirect {
                throw redirect
            } catch {
                lastProblem = "\(target): \(TLSFailure(error).map { "\($0)" } ?? "\(error)")"
                everyAnswerWasNotFound = false
            }
        }
        throw everyAnswerWasNotFound && !seen.isEmpty ? ColonyError.cellNotFound(lastProblem) : ColonyError.unavailable(lastProblem)
    }
}
