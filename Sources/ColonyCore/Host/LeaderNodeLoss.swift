/// A peer node that the host stopped trusting as the leader of its resting followers: they
/// were filed to stand (see `ReplicaHost+Liveness.swift`). Worth a line in the node's log:
/// many of these at once, on a node whose peers are alive, are an election storm starting.
public struct LeaderNodeLoss: Hashable, Sendable {
    /// Why the host stopped trusting the peer.
    public enum Cause: Hashable, Sendable {
        /// No frame came from it for this many ticks.
        case silent(ticks: UInt64)
        /// It announced another incarnation: it restarted, and its replicas lead nothing.
        case restarted
    }

    /// The peer node.
    public var peer: NodeID
    /// Why.
    public var cause: Cause
    /// How many resting followers here were filed to stand.
    public var followers: Int

    /// Records a loss.
    public init(peer: NodeID, cause: Cause, followers: Int) {
        self.peer = peer
        self.cause = cause
        self.followers = followers
    }
}
