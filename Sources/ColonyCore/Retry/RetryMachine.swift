/// How a client carries one operation to its cell: which node to ask, when to ask again,
/// and when to give up — as a pure state machine, written once for the real client, the
/// simulator's clients and the node tests.
///
/// ## The rules
/// - An operation starts at the cell's leader if the client knows it, else at a member or
///   seed its shell chooses.
/// - A replica that does not lead answers with its guess of the leader. Following that
///   hint is discovery, not a retry: the request goes to the leader at once and spends no
///   budget, at most `hintsFollowedMax` hops per operation.
/// - A node whose address refuses the connection is down, and costs the colony nothing:
///   the request goes at once to a candidate not asked yet, spending no budget. Once every
///   candidate was asked, it is a retry like any other.
/// - A replica that knows no leader is in an election: the request goes at once to a
///   candidate not asked yet; once every candidate was asked, it waits the election out,
///   pausing as a retry does but spending no budget for `electionWaitsMax` asks.
/// - Every other retry spends one token of the client's shared `RetryBudget` and pauses
///   first, with full jitter under a cap that grows with the attempts (`RetryPolicy`). An
///   empty budget ends the operation at once.
/// - A retry goes to a candidate not tried yet (the cell's known members, then the seeds),
///   else round-robin over them, so one dead or lagging node is never asked twice while
///   another has not been asked at all. An `unavailable` cell is asked again at its leader.
/// - When no node known hosts the cell and the client knows none of its members, the shell
///   asks the directory once for them.
/// - The operation ends at its deadline. Each attempt waits at most `attemptTimeoutNanoseconds`
///   and never past the deadline.
/// - Giving up on a write is ambiguous once an attempt may have reached a node (any answer,
///   a timeout, a broken connection): the outcome is unknown. A read, or a write every
///   attempt of which was refused (the connection, or at the TLS handshake), certainly did
///   not apply.
/// - An answer to an earlier attempt of the same request counts if it is definite (the
///   request id is the same, so it is this operation's result), and is ignored otherwise.
///
/// ## Driving it
/// The machine never reads a clock, draws no randomness of its own and does no IO. Its
/// shell, for each operation:
/// 1. makes a machine from what its discovery cache knows, and calls `start`;
/// 2. carries out the returned `RetryAction`: sends the request with the attempt's
///    timeout, pauses, or asks the directory;
/// 3. reports how the action ended — `attemptEnded` with the attempt's outcome (having first
///    learned any configuration in the answer into its cache), `waitEnded`, or
///    `directoryAnswered` — and goes back to step 2 with the next action;
/// 4. stops at `finish`. Time comes in as nanoseconds of the shell's clock, the same clock
///    throughout one operation.
/// The shell may copy `leader` back into its cache after each step.
public struct RetryMachine<Target: Hashable & Sendable>: Sendable {
    /// Whether the operation is a write: giving up on one may leave its outcome unknown.
    public let isWrite: Bool
    /// The limits the operation runs under.
    public let policy: RetryPolicy
    /// Where the operation stands.
    public internal(set) var phase: RetryPhase<Target> = .idle
    /// The node this operation believes leads the cell, if any.
    public internal(set) var leader: Target?
    /// The cell's members as this operation knows them (may be empty).
    public internal(set) var members: [Target]
    /// Nodes to ask besides the members: the client's seeds.
    public let seeds: [Target]
    /// The attempts sent so far.
    public internal(set) var attempts = 0

    var startedAt: UInt64 = 0
    /// The nodes asked so far, and those that refused the client at the TLS handshake: a
    /// handful each, so arrays (no hashing) serve best.
    var tried: [Target] = []
    var refusedByTLS: [Target] = []
    var hintsFollowed = 0
    var electionWaits = 0
    var reach = Reach.noNode
    var hasAskedDirectory = false

    /// Whether any attempt may have reached a node.
    enum Reach: Hashable, Sendable {
        /// Every attempt so far was refused before it was sent.
        case noNode
        /// Some attempt was answered, timed out, or broke off after it may have been sent.
        case mayHaveReachedNode
    }

    /// A machine for one operation, from the shell's cache: the cell's `leader` if known,
    /// its `members` (possibly none), and the client's `seeds`. There must be some member
    /// or seed to ask.
    public init(policy: RetryPolicy, isWrite: Bool, leader: Target?, members: [Target], seeds: [Target]) {
        precondition(!members.isEmpty || !seeds.isEmpty, "Invalid state: an operation with no node to ask")
        self.policy = policy
        self.isWrite = isWrite
        self.leader = leader
        self.members = members
        self.seeds = seeds
    }

    /// Starts the operation at `now`: its first attempt goes to the leader if known, else
    /// to `guess`, else to the first member or seed.
    public mutating func start(preferring guess: Target?, now: UInt64) -> RetryAction<Target> {
        guard case .idle = phase else { preconditionFailure("Invalid state: an operation started again in \(phase)") }
        startedAt = now
        return send(to: leader ?? guess ?? members.first ?? seeds[0], now: now)
    }

    /// The attempt sent to `target` ended with `outcome` at `now`. A success earns
    /// `budget` a tenth of a retry back; a retry spends one of it. `random` draws the
    /// pause's jitter.
    public mutating func attemptEnded(
        _ outcome: AttemptOutcome<Target>, at target: Target, now: UInt64,
        budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target> {
        if outcome.mayHaveReachedNode { reach = .mayHaveReachedNode }
        learnMembers(from: outcome)
        switch phase {
        case .awaitingAnswer(let awaited) where awaited == target:
            return answered(outcome, by: target, now: now, budget: &budget, random: &random)
        case .awaitingAnswer, .pausing, .askingDirectory:
            return lateAnswer(outcome, from: target, budget: &budget)
        case .idle, .finished:
            preconditionFailure("Invalid state: an attempt ended in \(phase)")
        }
    }

    /// The pause asked for by `wait` is over at `now`: the next attempt goes out, unless the
    /// deadline has passed.
    public mutating func waitEnded(now: UInt64) -> RetryAction<Target> {
        guard case .pausing(let target) = phase else { preconditionFailure("Invalid state: a pause ended in \(phase)") }
        return send(to: target, now: now)
    }

    /// The directory's hint of the cell's members arrived at `now` (nil or empty: it has
    /// none). The first of them is asked at once, as a hint is followed; with none, the
    /// cell is not found.
    public mutating func directoryAnswered(members hinted: [Target]?, now: UInt64) -> RetryAction<Target> {
        guard case .askingDirectory = phase else { preconditionFailure("Invalid state: a directory answer in \(phase)") }
        guard let hinted, let first = hinted.first else { return finish(.failed) }
        membersLearned(hinted)
        return send(to: first, now: now)
    }

    /// The shell learned the cell's members (newer than what it knew): they become the
    /// candidates of the next retries, and a leader not among them is forgotten.
    public mutating func membersLearned(_ learned: [Target]) {
        guard !learned.isEmpty else { return }
        members = learned
        if let leader, !learned.contains(leader) { self.leader = nil }
    }
}

extension AttemptOutcome {
    /// Whether the attempt may have reached a node: only a refused connection, or a refusal
    /// at the TLS handshake, proves the request was never sent.
    var mayHaveReachedNode: Bool {
        switch self {
        case .connectionRefused: return false
        case .transportFailed(let refusedByTLS): return !refusedByTLS
        case .succeeded, .failed, .redirect, .staleEpoch, .unavailable, .cellNotFound, .sessionExpired, .timedOut: return true
        }
    }
}

extension RetryMachine {
    /// The timer a shell set for the last action went off at `now`: the attempt awaited got
    /// no answer in time, or the pause is over. Nil when the machine waits on nothing a timer
    /// ends (not started, asking the directory, or finished).
    public mutating func timerFired(
        now: UInt64, budget: inout RetryBudget, random: inout some RandomNumberGenerator
    ) -> RetryAction<Target>? {
        switch phase {
        case .awaitingAnswer(let target):
            return attemptEnded(.timedOut, at: target, now: now, budget: &budget, random: &random)
        case .pausing:
            return waitEnded(now: now)
        case .idle, .askingDirectory, .finished:
            return nil
        }
    }
}
