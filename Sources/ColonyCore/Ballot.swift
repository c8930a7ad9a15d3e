/// A Paxos ballot: the right of one replica to lead a cell for a while.
///
/// Ballots are ordered by epoch first, then round, then node, so that every ballot
/// of a newer configuration outranks every ballot of an older one and two replicas
/// never hold the same ballot. A replica only ever promises ballots that grow.
public struct Ballot: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The configuration epoch the ballot belongs to.
    public var epoch: Epoch
    /// The attempt number within the epoch; a new candidate picks one above any it has seen.
    public var round: UInt64
    /// The replica that owns the ballot, and the only one that may propose with it.
    public var node: NodeID

    /// Makes the ballot `(epoch, round, node)`.
    public init(epoch: Epoch, round: UInt64, node: NodeID) {
        self.epoch = epoch
        self.round = round
        self.node = node
    }

    /// The ballot below every real ballot: what a replica has promised before it promised anything.
    public static let zero = Ballot(epoch: 0, round: 0, node: NodeID(0))

    public static func < (lhs: Ballot, rhs: Ballot) -> Bool {
        (lhs.epoch, lhs.round, lhs.node.rawValue) < (rhs.epoch, rhs.round, rhs.node.rawValue)
    }

    public var description: String { "\(epoch).\(round).\(node)" }
}
