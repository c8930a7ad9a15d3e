/// What a replica says to the control plane's request to replace one member of its cell,
/// before anything is proposed: go ahead, it is done already, or why not.
///
/// The control plane moves replicas one membership change at a time through the cell's own
/// log. Its requests are retried after timeouts and crashes, so a request whose change the
/// cell has applied already is answered `alreadyApplied` (a retry is harmless), and one made
/// from an older view of the cell is refused as stale rather than applied to members it was
/// not meant for.
public enum MembershipChangeVerdict: Hashable, Sendable {
    /// Propose the change: this replica leads, the epoch matches, nothing else is in flight,
    /// and a majority of the members stays live without the member removed.
    case propose
    /// The cell's configuration already has the node added and lacks the node removed.
    case alreadyApplied(CellConfiguration)
    /// The change cannot be proposed now; the refusal says why and what to do.
    case refused(MembershipChangeRefusal)
}

/// Why a replica refuses to propose a membership change for the control plane.
public enum MembershipChangeRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The replica does not hold the cell's state yet (it is new here, or lost its state).
    case noState
    /// The replica does not lead the cell; `leader` does, as far as it knows.
    case notLeader(leader: NodeID?, configuration: CellConfiguration)
    /// The request was made for epoch `expected`; the cell is at `current`.
    case staleEpoch(expected: Epoch, current: CellConfiguration)
    /// A membership change (or a renewal, or a deletion) is queued or being committed.
    case changeInFlight
    /// Without the member removed, fewer than a majority of the members would be live
    /// (answering the leader and voting): the change could leave the cell unable to commit.
    case wouldLoseMajority(live: [NodeID], quorum: Int)
    /// The change does not fit the configuration (removes a non-member, adds a member).
    case invalid(ConfigurationError)

    public var description: String {
        switch self {
        case .noState:
            return "this replica does not hold the cell's state yet; ask its leader"
        case .notLeader(let leader, _):
            return "this replica does not lead the cell" + (leader.map { "; \($0) does" } ?? "; its leader is not known yet")
        case .staleEpoch(let expected, let current):
            return "the change was made for epoch \(expected) but the cell is at epoch \(current.epoch) (members \(current.members)); look at the cell again and decide anew"
        case .changeInFlight:
            return "another membership change is being committed; wait until it is applied and its new member renewed"
        case .wouldLoseMajority(let live, let quorum):
            return "only \(live.count) members answer the leader (\(live)); without the member removed fewer than \(quorum) would remain, so the cell could stop committing; bring members back first"
        case .invalid(let error):
            return "\(error)"
        }
    }
}

extension CellReplica {
    /// The members that answered this leader within an election timeout, itself included, in
    /// ascending order; nil unless this replica leads. A member that has not answered since
    /// the election, or since the leader last woke from quiescence, or waits to be renewed (it
    /// acknowledges nothing), is not among them.
    public var liveMembers: [NodeID]? {
        members(answeredSinceWake: true)
    }

    /// The members that answered this leader within an election timeout of its own clock,
    /// itself included; with `answeredSinceWake`, only those that answered since it last woke.
    func members(answeredSinceWake: Bool) -> [NodeID]? {
        guard isLeader, let configuration = state?.configuration else { return nil }
        let leader = leaderState
        return configuration.members.enumerated().compactMap { index, member in
            if member == node { return member }
            guard leader.answered.contains(index), now - leader.lastHeard[index] <= options.electionTimeoutTicks else { return nil }
            if answeredSinceWake, let since = leader.answeredSinceWake, !since.contains(index) { return nil }
            return member
        }
    }

    /// Whether the control plane's change `change`, decided when the cell was at epoch
    /// `expectedEpoch`, may be proposed here now (see `MembershipChangeVerdict`). A renewal
    /// (`remove == add`) is the replica's own business and is judged like any change.
    public func membershipChangeVerdict(_ change: MembershipChange, expectedEpoch: Epoch) -> MembershipChangeVerdict {
        guard let configuration = state?.configuration else { return .refused(.noState) }
        if !change.isRenewal, configuration.contains(change.add), !configuration.contains(change.remove) {
            return .alreadyApplied(configuration)
        }
        guard isLeader else { return .refused(.notLeader(leader: leaderHint, configuration: configuration)) }
        guard configuration.epoch == expectedEpoch else {
            return .refused(.staleEpoch(expected: expectedEpoch, current: configuration))
        }
        if case .invalidMembershipChange(let error)? = CellOperation.changeMembership(change).validationError(in: configuration) {
            return .refused(.invalid(error))
        }
        guard leaderState.stopSignSlot == nil, !leaderState.queue.contains(where: \.operation.isStopSign) else {
            return .refused(.changeInFlight)
        }
        let live = liveMembers ?? []
        guard live.filter({ $0 != change.remove }).count >= configuration.quorum else {
            return .refused(.wouldLoseMajority(live: live, quorum: configuration.quorum))
        }
        return .propose
    }
}
