/// Why a damaged replica refuses to be forced to vote again.
public enum ForcedHealRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The replica votes already: its stored state was never found damaged, or it was renewed.
    case notDamaged
    /// The replica holds no state of the cell: it has not fetched it from any peer yet.
    case noState
    /// The replica's node is not a member of the cell's configuration as it holds it.
    case notMember(CellConfiguration)
    /// The replica knows the cell chose slots it has not applied yet: forced now, it would
    /// leave out what it can still fetch.
    case catchingUp(appliedThrough: Slot, chosenThrough: Slot)

    public var description: String {
        switch self {
        case .notDamaged:
            return "the replica is not damaged: it votes already, so there is nothing to force"
        case .noState:
            return "the replica holds no state of the cell: it has not fetched it from any peer, so it has nothing to recover from; force a member that has"
        case .notMember(let configuration):
            return "the replica's node is not a member of the cell (epoch \(configuration.epoch), members \(configuration.members)); force one of its members"
        case .catchingUp(let applied, let chosen):
            return "the replica has applied through slot \(applied) but knows the cell chose through slot \(chosen): let it catch up, then force it"
        }
    }
}

extension CellReplica {
    /// Makes this damaged replica vote again without a renewal, at an operator's explicit
    /// request (`colony cell force-recover`), when a majority of the cell's members is damaged
    /// and no leader can be elected to renew them. Returns the output that persists it, or
    /// why not.
    ///
    /// It is the one place where Colony gives up safety for availability, and only as far as
    /// it must. The replica found damaged kept nothing of its stored state; it holds what it
    /// fetched since from its peers: the state of the cell through some slot. It may have
    /// forgotten two things:
    /// - *values it accepted*. A value chosen by a majority of whose acceptors only forgetful
    ///   replicas are left is gone: the recovered cell goes on from the state the new leader
    ///   gathers, and writes acknowledged after the forced replica's applied slot may be
    ///   lost. Nothing can bring them back; the operator is told so and must confirm.
    /// - *ballots it promised*. A leader that ran phase 1 before the damage, counting this
    ///   replica's promise, still proposes under its ballot. If the replica promised a lower
    ///   ballot now, the leader of that lower ballot and the old leader could each get a
    ///   different value chosen for the same slot, each with this replica's acceptance:
    ///   the two halves of the cell would diverge from the recovered state on. So the replica
    ///   first promises a *floor*: a ballot of the cell's epoch one round above every round it
    ///   has seen in its peers' messages while damaged (their polls, prepares, accepts,
    ///   heartbeats and rejections; `noteRoundWhileDamaged`). Every leader alive sends
    ///   heartbeats to every member, damaged ones included, so its ballot is below the floor:
    ///   this replica now refuses that leader's accepts, and whoever leads next runs phase 1
    ///   above every old ballot, learning what the replicas that remember still hold. The
    ///   replica's own ballots from before are covered alike, as far as its peers show
    ///   them: a member that promised one stands in a round above it, and the replica sees
    ///   that round, so it does not propose a second value under a ballot it used before.
    ///
    /// What the floor cannot cover: a ballot the replica promised or used and never saw
    /// again (its leader stepped down, unheard, before the replica restarted, and no member
    /// holding it has stood since), and messages sent before the damage and still in flight
    /// (none are, once the cell has been down longer than the network takes to deliver). Both end with the
    /// epoch: the force is refused once a majority of members votes (see `ForceRecovery`),
    /// so at least one member is left to be renewed the normal way, and every renewal is a
    /// membership change that starts a new epoch, whose ballots outrank everything the
    /// forced replica could have promised or accepted before.
    public mutating func forceHeal() -> Result<ReplicaOutput, ForcedHealRefusal> {
        guard isDamaged else { return .failure(.notDamaged) }
        guard let configuration = state?.configuration else { return .failure(.noState) }
        guard configuration.contains(node) else { return .failure(.notMember(configuration)) }
        guard knownChosenThrough <= appliedThrough else {
            return .failure(.catchingUp(appliedThrough: appliedThrough, chosenThrough: knownChosenThrough))
        }
        let floor = options.defects.contains(.forcedHealWithoutFloor)
            ? Ballot.zero
            : Ballot(epoch: configuration.epoch, round: highestRoundSeen + 1, node: node)
        promised = max(promised, floor)
        damagedRenewal = nil
        lastRenewalRequestAt = nil
        role = .follower
        resetElectionDeadline()
        var output = ReplicaOutput()
        output.persist.append(.forcedHeal(floor: floor))
        output.events.append(.forcedHeal(appliedThrough: appliedThrough, floor: floor))
        return .success(output)
    }

    /// Keeps, while damaged, the highest round of the cell's epoch that a peer's message
    /// shows in use: the floor a forced heal promises above (see `forceHeal()`). A rejection
    /// counts the ballot its sender promised. Once the replica holds the cell's state, an
    /// epoch other than its own shows nothing (an older one is outranked, a newer one is
    /// fetched first); before, it keeps every round, whatever the epoch the state it fetches
    /// turns out to have: a floor too high only costs the next candidate a round.
    mutating func noteRoundWhileDamaged(_ body: PeerMessageBody) {
        guard !options.defects.contains(.forcedHealWithoutFloor) else { return }
        var ballots = body.ballot.map { [$0] } ?? []
        if case .reject(_, let promised) = body { ballots.append(promised) }
        let epoch = state?.configuration.epoch
        for ballot in ballots where epoch.map({ ballot.epoch == $0 }) ?? true {
            highestRoundSeen = max(highestRoundSeen, ballot.round)
        }
    }
}
