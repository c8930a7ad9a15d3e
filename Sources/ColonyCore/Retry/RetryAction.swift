/// What became of one attempt of an operation, as its shell tells the `RetryMachine`.
public enum AttemptOutcome<Target: Hashable & Sendable>: Hashable, Sendable {
    /// The cell answered and the operation succeeded.
    case succeeded
    /// The cell answered definitely that the operation failed (a condition not met, a
    /// request it refuses, a deleted cell): retrying will not change it.
    case failed
    /// The node does not lead the cell. `leader` is its guess of who does (nil: it has
    /// none); `members` are the cell's members if the answer taught the shell newer ones.
    case redirect(leader: Target?, members: [Target]?)
    /// The attempt named an older configuration of the cell; `members` are the newer
    /// members, if the shell learned them from the answer.
    case staleEpoch(members: [Target]?)
    /// The cell could not answer now (catching up, overloaded, changing its members).
    case unavailable
    /// The node hosts no replica of the cell.
    case cellNotFound
    /// The cell forgot the client's session: it cannot tell whether a write applied.
    case sessionExpired
    /// No answer: the connection failed or broke. `refusedByTLS` when the node refused the
    /// client at the TLS handshake, so the request was certainly never sent.
    case transportFailed(refusedByTLS: Bool)
    /// Nothing accepted a connection at the node's address (no process listens there: the
    /// node is down or restarting), so the request was certainly never sent.
    case connectionRefused
    /// No answer within the attempt's timeout; the request may still apply.
    case timedOut
}

/// What the shell of a `RetryMachine` does next.
///
/// The shell carries out exactly one action at a time and reports how it ended:
/// - `send`: send the request to `target`; report its answer, a transport failure, or
///   `timedOut` after `timeoutNanoseconds` to `attemptEnded`.
/// - `wait`: do nothing for `nanoseconds` (the backoff), then call `waitEnded`; the request
///   goes to `target` after it.
/// - `askDirectory`: read the directory's hint of the cell's members and give it, or nil,
///   to `directoryAnswered`.
/// - `keepWaiting`: an answer of an earlier attempt changed nothing; go on with the action
///   in progress.
/// - `finish`: the operation is over; `outcome` says how.
public enum RetryAction<Target: Hashable & Sendable>: Hashable, Sendable {
    /// Send the request to `target`, and wait at most `timeoutNanoseconds` for its answer.
    case send(to: Target, timeoutNanoseconds: UInt64)
    /// Pause for `nanoseconds`, then call `waitEnded`: the request then goes to `target`.
    case wait(nanoseconds: UInt64, then: Target)
    /// Ask the directory for the cell's members, and report them to `directoryAnswered`.
    case askDirectory
    /// Nothing new to do: go on with the attempt or the pause in progress.
    case keepWaiting
    /// The operation ended.
    case finish(RetryOutcome)
}

/// How an operation ended.
public enum RetryOutcome: Hashable, Sendable {
    /// The cell answered with success.
    case succeeded
    /// The cell answered with a definite failure, or no node hosts the cell: the shell
    /// reports the answer it got.
    case failed
    /// The client gave up, and the operation certainly did not take effect: it is a read,
    /// or a write that never reached a node.
    case notApplied(RetryGiveUp)
    /// The client gave up on a write that may have reached a node: it may or may not have
    /// taken effect.
    case outcomeUnknown(RetryGiveUp)
}

/// Why a client gave up on an operation.
public enum RetryGiveUp: Hashable, Sendable {
    /// The operation's deadline passed.
    case deadlinePassed
    /// The client's retry budget is spent: the colony is struggling.
    case budgetSpent
    /// Every node the client knows refused it at the TLS handshake.
    case refusedByEveryNode
    /// The cell forgot the client's session.
    case sessionExpired
}
