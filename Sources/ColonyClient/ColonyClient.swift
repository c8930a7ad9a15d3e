import ColonyAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// A smart client of a colony.
///
/// ```swift
/// let colony = try ColonyClient(
///     nodes: ["127.0.0.1:7201", "127.0.0.1:7202"], tls: .files(ca: "ca.pem", certificate: "client-app.pem", key: "client-app.key"))
/// _ = try await colony.put("volume-17", "attached-to", "i-0abc")
/// let item = try await colony.get("volume-17", "attached-to")
/// ```
///
/// It keeps a discovery cache of each cell's members and leader and goes straight to the
/// leader; it follows redirects, refreshes its cache when a replica says the cell moved on,
/// and retries only what is safe: every request carries an id (this client's session, a
/// per-cell sequence) that stays the same across retries, so a retried write applies once.
/// Retries back off exponentially with full jitter, and a retry budget shared by all calls
/// keeps a sick cell from being stormed.
public actor ColonyClient {
    /// Deadlines and backoff.
    public struct Policy: Sendable {
        /// How long one operation may take, retries included.
        public var deadline: Duration = .seconds(10)
        /// How long one attempt may wait for its answer.
        public var attemptTimeout: Duration = .seconds(3)
        /// The first backoff's cap; each retry doubles it.
        public var backoffBase: Duration = .milliseconds(10)
        /// The largest backoff.
        public var backoffMax: Duration = .seconds(1)
        /// Retries the client may make beyond its successes: each retry spends a token, each
        /// success earns a tenth of one back, up to this many.
        public var retryBudget: Double = 100
        /// The most changes a watch holds that its reader has not taken yet; past it, the
        /// watch stops reading from the node until the reader catches up.
        public var watchBufferChangesMax = 64

        /// The defaults.
        public init() {}
    }

    struct CellView {
        var members: [String] = []
        var leader: String?
        var epoch: UInt64 = 0
        var sequence: UInt64 = 0
        var sessionOpen = false
    }

    let seeds: [String]
    let security: HTTP2ClientTransport.Posix.TransportSecurity
    let policy: Policy
    private let clientID: UInt64
    var views: [String: CellView] = [:]
    private var connections: [String: NodeConnection] = [:]
    private var sessions: [String: NodeSession] = [:]
    /// Cells with a write of this client in flight, and the writes waiting behind it.
    private var writesWaiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var budget: Double

    /// Makes a client that starts from `nodes` (HOST:PORT client addresses of some nodes) and
    /// secures its connections with `tls`; its files are read and checked now.
    public init(nodes: [String], tls: ClientTLS, policy: Policy = Policy()) throws {
        guard !nodes.isEmpty else { throw ColonyError.invalidArgument("give at least one node address (HOST:PORT)") }
        for node in nodes where NodeConnection.target(node) == nil {
            throw ColonyError.invalidArgument("\"\(node)\" is not an address; write HOST:PORT")
        }
        seeds = nodes
        security = try tls.transportSecurity()
        self.policy = policy
        budget = policy.retryBudget
        clientID = UInt64.random(in: 1...(UInt64.max >> 1))
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func close() {
        for session in sessions.values { session.close() }
        sessions = [:]
        for connection in connections.values { connection.close() }
        connections = [:]
    }

    // MARK: - Operations

    /// The item under `key`, or nil if absent. `stale` reads may come from any replica.
    public func get(_ cell: String, _ key: String, stale: Bool = false) async throws -> ColonyItem? {
        let reply = try await run(cell, isWrite: false) { header in
            var request = Colony_V1_GetRequest()
            request.header = header
            request.key = key
            request.consistency = stale ? .stale : .linearizable
            return .get(request)
        } reply: {
            if case .get(let reply) = $0 { reply } else { nil }
        }
        return reply.found ? ColonyItem(reply.item) : nil
    }

    /// Writes `value` under `key`; returns the key's new version.
    @discardableResult
    public func put(_ cell: String, _ key: String, _ value: [UInt8]) async throws -> UInt64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_PutRequest()
            request.header = header
            request.key = key
            request.value = Data(value)
            return .put(request)
        } reply: {
            if case .put(let reply) = $0 { reply } else { nil }
        }.version
    }

    /// Writes the UTF-8 bytes of `value` under `key`; returns the key's new version.
    @discardableResult
    public func put(_ cell: String, _ key: String, _ value: String) async throws -> UInt64 {
        try await put(cell, key, Array(value.utf8))
    }

    /// Removes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ cell: String, _ key: String) async throws -> Bool {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_DeleteRequest()
            request.header = header
            request.key = key
            return .delete(request)
        } reply: {
            if case .delete(let reply) = $0 { reply } else { nil }
        }.existed
    }

    /// What a compare-and-set expects under its key.
    public enum Expected: Hashable, Sendable {
        /// The key must be absent.
        case absent
        /// The key must hold these bytes.
        case value([UInt8])
        /// The key must be at this version.
        case version(UInt64)
    }

    /// Writes `value` under `key` if the key matches `expected`; returns the new version, or
    /// throws `conditionFailed` with what the key holds.
    @discardableResult
    public func compareAndSet(_ cell: String, _ key: String, expected: Expected, value: [UInt8]) async throws -> UInt64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_CompareAndSetRequest()
            request.header = header
            request.key = key
            switch expected {
            case .absent: request.absent = true
            case .value(let bytes): request.value = Data(bytes)
            case .version(let version): request.version = version
            }
            request.newValue = Data(value)
            return .compareAndSet(request)
        } reply: {
            if case .compareAndSet(let reply) = $0 { reply } else { nil }
        }.version
    }

    /// Adds `delta` to the integer under `key`; returns the new integer.
    @discardableResult
    public func increment(_ cell: String, _ key: String, by delta: Int64) async throws -> Int64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_IncrementRequest()
            request.header = header
            request.key = key
            request.delta = delta
            return .increment(request)
        } reply: {
            if case .increment(let reply) = $0 { reply } else { nil }
        }.value
    }

    /// Up to `limit` items whose keys start with `prefix`, whether more matched, and the
    /// cell's revision they were read at: `watch(cell, after: revision)` then misses nothing.
    public func list(
        _ cell: String, prefix: String = "", limit: Int = 1_000, stale: Bool = false
    ) async throws -> (items: [ColonyItem], truncated: Bool, revision: UInt64) {
        let reply = try await run(cell, isWrite: false) { header in
            var request = Colony_V1_ListRequest()
            request.header = header
            request.prefix = prefix
            request.limit = UInt32(clamping: limit)
            request.consistency = stale ? .stale : .linearizable
            return .list(request)
        } reply: {
            if case .list(let reply) = $0 { reply } else { nil }
        }
        return (reply.items.map(ColonyItem.init), reply.truncated, reply.revision)
    }

    /// Runs a transaction; see `Colony_V1_TransactionRequest` for its parts.
    public func transaction(_ cell: String, _ transaction: Colony_V1_TransactionRequest) async throws -> Colony_V1_TransactionReply {
        try await run(cell, isWrite: true) { header in
            var request = transaction
            request.header = header
            return .transaction(request)
        } reply: {
            if case .transaction(let reply) = $0 { reply } else { nil }
        }
    }

    // MARK: - Retries

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

    /// The session with the node at `address`, opened anew if the last one broke.
    private func session(_ address: String) throws -> NodeSession {
        if let open = sessions[address], !open.isBroken { return open }
        let opened = NodeSession(client: try connection(address).client)
        sessions[address] = opened
        return opened
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

    func connection(_ address: String) throws -> NodeConnection {
        if let open = connections[address] { return open }
        let opened = try NodeConnection(address: address, security: security)
        connections[address] = opened
        return opened
    }
}
