import ColonyAuth

/// The policy a node enforces and the version of the directory record it came from. A node
/// replaces it only with what a read of the directory returned, never with a failure to
/// read: while the directory is unreachable the node keeps enforcing what it last read
/// (static stability), and it keeps that across restarts (`PolicyFile`).
struct CachedPolicy: Hashable, Sendable {
    /// The policy enforced.
    var policy: AuthPolicy
    /// The version of the directory record it was read at; 0 when the directory held none.
    var version: UInt64

    /// The policy of a colony whose directory holds none: nothing is on, as in a colony made
    /// before authorization existed.
    static let empty = CachedPolicy(policy: AuthPolicy(), version: 0)

    /// What a read of the directory's policy record came to.
    enum Read: Hashable, Sendable {
        /// The record, at its version.
        case record(AuthPolicy, version: UInt64)
        /// The directory holds no policy record.
        case absent
        /// The colony has no directory cell (yet): a node that read no policy takes it as
        /// `absent`; one that holds a policy keeps it (a node that hosts no replica of the
        /// directory may say so while the directory's members are out of reach).
        case noDirectory
    }

    /// The policy to enforce after `read`, or nil to keep this one: a record older than the
    /// one held is never taken (a read answered by a replica behind), and an absent record
    /// turns authorization off (only an admin can delete the record).
    func adopting(_ read: Read) -> CachedPolicy? {
        switch read {
        case .record(let policy, let version):
            guard version > self.version || (version == self.version && policy != self.policy) else { return nil }
            return CachedPolicy(policy: policy, version: version)
        case .absent:
            return self == .empty ? nil : .empty
        case .noDirectory:
            return nil
        }
    }
}
