import ColonyAuth

/// What a node decides requests by: nothing yet, or the policy it read last.
///
/// A node starts `unread` when it kept no policy on disk (a new data directory): it cannot
/// tell a colony that turned authorization on from one that never did, so it allows only
/// what nodes read and refuses the rest as retryable (`AuthPolicy.decideBeforeFirstRead`),
/// rather than letting every certificate do anything until the directory answers. A node
/// that kept a copy (`PolicyFile`) starts `read` with it.
///
/// Transitions: `unread` → `read` on the directory's first answer (a policy record, no
/// record, or no directory at all); `read` → `read` on a newer record, or on no record (an
/// admin deleted it). Never back to `unread`: a failed read leaves the state as it is.
enum EnforcedPolicy: Hashable, Sendable {
    /// No policy read yet: the directory has not answered since the node started.
    case unread
    /// The policy read last, from the directory or the node's kept copy.
    case read(CachedPolicy)

    /// The policy read, or nil before the first read.
    var cached: CachedPolicy? {
        switch self {
        case .unread: return nil
        case .read(let cached): return cached
        }
    }

    /// Whether `identity` may do `operation` now.
    func decide(_ identity: Identity, _ operation: AuthOperation) -> AuthDecision {
        switch self {
        case .unread: return AuthPolicy.decideBeforeFirstRead(identity, operation)
        case .read(let cached): return cached.policy.decide(identity, operation)
        }
    }

    /// The policy to enforce after `read`, or nil to keep the state as it is. The first
    /// answer is always taken: no record, or no directory, is a colony without a policy, whose
    /// authorization is off.
    func adopting(_ read: CachedPolicy.Read) -> CachedPolicy? {
        switch self {
        case .unread: return CachedPolicy.empty.adopting(read) ?? .empty
        case .read(let held): return held.adopting(read)
        }
    }
}
