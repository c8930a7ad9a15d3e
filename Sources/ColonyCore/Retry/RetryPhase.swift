/// Where one operation's `RetryMachine` stands.
///
/// Legal transitions:
/// - `idle` → `awaitingAnswer` (`start`), or `finished` (a deadline of zero).
/// - `awaitingAnswer` → `awaitingAnswer` (a leader hint followed at once), `pausing` (a
///   retry), `askingDirectory` (no node known hosts the cell), or `finished`.
/// - `pausing` → `awaitingAnswer` (the pause ended), or `finished` (the deadline passed, or
///   a late answer of an earlier attempt was definite).
/// - `askingDirectory` → `awaitingAnswer` (the directory named members), or `finished`.
/// - `finished` is the end: nothing more happens.
public enum RetryPhase<Target: Hashable & Sendable>: Hashable, Sendable {
    /// Not started.
    case idle
    /// An attempt was sent to `target`; its answer, failure or timeout is awaited.
    case awaitingAnswer(from: Target)
    /// Pausing before the next attempt, which goes to `target`.
    case pausing(before: Target)
    /// Waiting for the directory's hint of the cell's members.
    case askingDirectory
    /// The operation ended with `outcome`.
    case finished(RetryOutcome)
}
