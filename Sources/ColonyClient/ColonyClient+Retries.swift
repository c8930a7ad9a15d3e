import ColonyAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// How an operation finds its cell's leader and retries: hints, backoff, the retry budget,
/// and one write per cell in flight.
extension ColonyClient {
    /// Runs one cell operation until it succeeds, fails definitely, or runs out of time or
    /// retry budget. Every attempt carries the same request id.
    ///
    /// The operation travels on the session with its node (see `NodeSession`); `operation`
    /// makes it from the request header, and `reply` takes its reply out of the session's
    /// result (nil if the result holds another kind).
    func run<Reply: APIReply>(
        _ cell: String, isWrite: Bool,
        _ operation: (Colony_V1_RequestHeader) -> Colony_V1_SessionOperation.OneOf_Operation,
        reply extract: (Colony_V1_SessionResult.OneOf_Reply) -> Reply?
    ) async throws -> Reply {
        // A cell applies each client's writes in the order of their sequence numbers and
        // refuses one overtaken by a later one, so this client has one write in flight per
        // cell; the others wait their turn here.
        if isWrite { await startWriting(cell) }
        defer { if isWrite { finishWriting(cell) } }
        var view = views[cell] ?? CellView()
        view.sequence += 1
        views[cell] = view
        var header = Colony_V1_RequestHeader()
        header.cell = cell
        header.clientID = clientID
        header.sequence = view.sequence
        header.opensSession = !view.sessionOpen
        let started = ContinuousClock.now
        var attempt = 0
        var target = view.leader ?? view.members.first ?? seed(for: cell)
        var tried: Set<String> = []
        var lastProblem = "no attempt made"
        // Following a replica's hint to its leader is discovery, not a retry: it spends no
        // budget and waits for nothing, a few hops at most.
        var followingHint = false
        var hintsFollowed = 0
        // A request refused at every TLS handshake was never sent: it certainly did not apply.
        var mayHaveApplied = false
        var refusedByTLS: Set<String> = []
        var askedDirectory = false
        while ContinuousClock.now - started < policy.deadline {
            if followingHint, hintsFollowed < Self.hintsFollowedMax {
                hintsFollowed += 1
            } else if attempt > 0 {
                guard spendRetry() else {
                    throw failure(isWrite: isWrite && mayHaveApplied, "the retry budget is spent (\(lastProblem)); the colony is struggling, try later")
                }
                try await backOff(attempt)
            }
            followingHint = false
            attempt += 1
            tried.insert(target)
            header.expectedEpoch = views[cell]?.epoch ?? 0
            var request = Colony_V1_SessionOperation()
            request.operation = operation(header)
            let timeout = min(policy.attemptTimeout, policy.deadline - (ContinuousClock.now - started))
            let result: Colony_V1_SessionResult
            do {
                result = try await session(target).perform(request, timeout: timeout)
            } catch {
                let refused = TLSFailure(error)
                mayHaveApplied = mayHaveApplied || refused == nil
                lastProblem = "\(target): \(refused.map { "\($0)" } ?? "\(error)")"
                if refused != nil {
                    refusedByTLS.insert(target)
                    // Every node refused this client's TLS: retrying will not change their minds.
                    if candidates(cell).allSatisfy(refusedByTLS.contains) {
                        throw failure(isWrite: isWrite && mayHaveApplied, lastProblem)
                    }
                }
                views[cell]?.leader = nil
                target = nextTarget(cell, after: target, tried: tried)
                continue
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
                    earnRetry()
                    if isWrite { views[cell]?.sessionOpen = true }
                    views[cell]?.leader = target
                    return reply
                }
                error = reply.error
            case nil:
                error = Self.malformed("node \(target) answered with an empty result")
            }
            mayHaveApplied = true
            lastProblem = "\(target): \(error.message)"
            switch error.code {
            case .notLeader:
                learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
                if !error.leaderAddress.isEmpty {
                    views[cell]?.leader = error.leaderAddress
                    followingHint = error.leaderAddress != target
                    target = error.leaderAddress
                } else {
                    target = nextTarget(cell, after: target, tried: tried)
                }
            case .staleEpoch:
                learn(cell, error.configuration, hasConfiguration: error.hasConfiguration)
                target = nextTarget(cell, after: target, tried: tried)
            case .unavailable:
                target = views[cell]?.leader ?? nextTarget(cell, after: target, tried: tried)
            case .cellNotFound where error.cellDeleted:
                throw ColonyError(error)
            case .cellNotFound:
                // When this client has learned the cell's members, one of them may not have
                // made its replica yet (a cell just created): keep trying until the deadline.
                // Otherwise every node is asked once, then the directory's hint, once.
                let knowsMembers = !(views[cell]?.members.isEmpty ?? true)
                let next = nextTarget(cell, after: target, tried: tried)
                if tried.contains(next), !knowsMembers {
                    guard !askedDirectory else { throw ColonyError(error) }
                    askedDirectory = true
                    guard let members = await directoryHint(for: cell) else { throw ColonyError(error) }
                    views[cell, default: CellView()].members = members
                    target = members[0]
                    followingHint = true
                    continue
                }
                target = next
            case .sessionExpired:
                views[cell]?.sessionOpen = false
                throw ColonyError(error)
            default:
                if isWrite { views[cell]?.sessionOpen = true }
                throw ColonyError(error)
            }
        }
        throw failure(isWrite: isWrite && mayHaveApplied, "no answer within \(policy.deadline) (\(lastProblem))")
    }

    /// A write that gave up may have taken effect; a read that gave up changed nothing.
    private func failure(isWrite: Bool, _ message: String) -> ColonyError {
        isWrite ? .outcomeUnknown(message) : .unavailable(message)
    }

    /// Runs a call that any node can answer, trying each in turn.
    func anyNode<Reply: APIReply>(
        targets: [String]? = nil,
        _ call: @Sendable (Colony_V1_Colony.Client<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Reply
    ) async throws -> Reply {
        var lastProblem = "no node to ask"
        var everyAnswerWasNotFound = true
        var seen: Set<String> = []
        for target in targets ?? seeds where seen.insert(target).inserted {
            var options = CallOptions.defaults
            options.timeout = policy.attemptTimeout
            do {
                let reply = try await call(connection(target).client, options)
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

    func learn(_ cell: String, _ configuration: Colony_V1_CellConfiguration, hasConfiguration: Bool) {
        guard hasConfiguration, configuration.epoch >= views[cell]?.epoch ?? 0 else { return }
        let addresses = configuration.members.map(\.address).filter { !$0.isEmpty }
        if !addresses.isEmpty { views[cell]?.members = addresses }
        views[cell]?.epoch = configuration.epoch
    }

    /// Waits until no other write of this client is in flight on `cell`, then claims it.
    private func startWriting(_ cell: String) async {
        guard writesWaiting[cell] != nil else {
            writesWaiting[cell] = []
            return
        }
        await withCheckedContinuation { writesWaiting[cell, default: []].append($0) }
    }

    /// Ends this client's write on `cell`: the next one waiting, if any, goes.
    private func finishWriting(_ cell: String) {
        guard var waiting = writesWaiting[cell], !waiting.isEmpty else {
            writesWaiting[cell] = nil
            return
        }
        let next = waiting.removeFirst()
        writesWaiting[cell] = waiting
        next.resume()
    }

    /// A reply that does not fit its operation, taken as a node that could not answer.
    private static func malformed(_ message: String) -> Colony_V1_Error {
        var error = Colony_V1_Error()
        error.code = .unavailable
        error.message = message + "; retrying"
        return error
    }


    /// How many leader hints one operation follows without counting them as retries.
    static let hintsFollowedMax = 3

    /// The node to ask first about a cell this client knows nothing of: a seed chosen by the
    /// cell's name, so that first contacts spread over the seeds instead of all going to one.
    private func seed(for cell: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in cell.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return seeds[Int(hash % UInt64(seeds.count))]
    }

    /// The next node to try: a member not tried yet, else any member or seed in turn.
    private func nextTarget(_ cell: String, after current: String, tried: Set<String>) -> String {
        let candidates = self.candidates(cell)
        if let fresh = candidates.first(where: { !tried.contains($0) }) { return fresh }
        var seen: Set<String> = []
        let unique = candidates.filter { seen.insert($0).inserted }
        guard let index = unique.firstIndex(of: current) else { return unique[0] }
        return unique[(index + 1) % unique.count]
    }

    /// The nodes a cell's operation may go to: its known members, then the seeds.
    private func candidates(_ cell: String) -> [String] {
        (views[cell]?.members ?? []) + seeds
    }

    private func spendRetry() -> Bool {
        guard budget >= 1 else { return false }
        budget -= 1
        return true
    }

    private func earnRetry() {
        budget = min(policy.retryBudget, budget + 0.1)
    }

    /// Full jitter: a random pause between zero and the attempt's cap.
    func backOff(_ attempt: Int) async throws {
        let cap = min(policy.backoffMax, policy.backoffBase * (1 << min(attempt, 20)))
        let nanoseconds = Int64(cap.components.seconds) * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000
        try await Task.sleep(for: .nanoseconds(Int64.random(in: 0...max(nanoseconds, 1))))
    }
}
