import ColonyCore
import ColonySim
import Testing

@Suite("the control plane's membership changes are judged before they are proposed")
struct MembershipVerdictTests {
    func change(_ remove: UInt32, _ add: UInt32) -> MembershipChange {
        MembershipChange(remove: NodeID(remove), add: NodeID(add))
    }

    /// A settled 3-member cell whose leader has heard from every member.
    func settledCell() throws -> (cell: InMemoryCell, leader: NodeID) {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let leader = try Scenario.leader(&cell)
        for _ in 0..<ReplicaOptions().heartbeatIntervalTicks * 2 { cell.tick() }
        return (cell, leader)
    }

    func other(than leader: NodeID) -> UInt32 {
        leader == NodeID(1) ? 2 : 1
    }

    @Test("the leader of a healthy cell proposes; a follower names the leader; an old epoch is refused")
    func proposeOrRedirect() throws {
        let (cell, leader) = try settledCell()
        let follower = NodeID(other(than: leader))
        let replacing = change(follower.rawValue, 4)
        #expect(cell.replicas[leader]?.membershipChangeVerdict(replacing, expectedEpoch: 1) == .propose)
        guard case .refused(.notLeader(let hint, _))? = cell.replicas[follower]?.membershipChangeVerdict(replacing, expectedEpoch: 1) else {
            Issue.record("a follower did not redirect")
            return
        }
        #expect(hint == leader)
        guard case .refused(.staleEpoch(2, _))? = cell.replicas[leader]?.membershipChangeVerdict(replacing, expectedEpoch: 2) else {
            Issue.record("a change for another epoch was not refused as stale")
            return
        }
    }

    @Test("a retried change the cell has applied is answered as applied, by any replica that applied it")
    func retryIsAlreadyApplied() throws {
        var (cell, leader) = try settledCell()
        let removed = other(than: leader)
        cell.submit(
            ClientRequest(
                id: RequestID(client: ClientID(1 << 63 | 7), sequence: 1), cell: CellID("cell"),
                operation: .changeMembership(change(removed, 4)), opensSession: true),
            to: leader)
        for _ in 0..<10 { cell.tick() }
        guard case .alreadyApplied(let configuration)? = cell.replicas[leader]?.membershipChangeVerdict(change(removed, 4), expectedEpoch: 1) else {
            Issue.record("the retry was not recognised as applied")
            return
        }
        #expect(configuration.contains(NodeID(4)) && !configuration.contains(NodeID(removed)))
    }

    @Test("a second change is refused while the first is being committed")
    func oneChangeAtATime() throws {
        var (cell, leader) = try settledCell()
        let removed = other(than: leader)
        cell.enqueue(
            ClientRequest(
                id: RequestID(client: ClientID(1 << 63 | 8), sequence: 1), cell: CellID("cell"),
                operation: .changeMembership(change(removed, 4)), opensSession: true),
            to: leader)
        let third = [1, 2, 3].map(NodeID.init).first { $0 != leader && $0 != NodeID(removed) }!
        #expect(cell.replicas[leader]?.membershipChangeVerdict(change(third.rawValue, 5), expectedEpoch: 1) == .refused(.changeInFlight))
    }

    @Test("removing a live member is refused when it would leave fewer than a majority live; removing the dead one is not")
    func keepsALiveMajority() throws {
        var (cell, leader) = try settledCell()
        let members = [1, 2, 3].map(NodeID.init)
        let dead = members.first { $0 != leader }!
        let live = members.first { $0 != leader && $0 != dead }!
        cell.isolated = [dead]
        // The idle cell's leader may rest; a read wakes it, and its rounds find who answers.
        cell.submit(ClientRequest(id: RequestID(client: ClientID(9), sequence: 1), cell: CellID("cell"), operation: .get("k")), to: leader)
        for _ in 0..<ReplicaOptions().electionTimeoutTicks + 5 { cell.tick() }
        #expect(cell.replicas[leader]?.isLeader == true, "the leader keeps a majority with one member cut off")
        #expect(cell.replicas[leader]?.liveMembers == [leader, live].sorted())
        #expect(cell.replicas[leader]?.membershipChangeVerdict(change(live.rawValue, 4), expectedEpoch: 1)
            == .refused(.wouldLoseMajority(live: [leader, live].sorted(), quorum: 2)))
        #expect(cell.replicas[leader]?.membershipChangeVerdict(change(dead.rawValue, 4), expectedEpoch: 1) == .propose)
    }

    @Test("a member that has not answered a new leader is not live, though the election was a moment ago")
    func silentSinceElectionIsNotLive() throws {
        var cell = try Scenario.cell(3)
        cell.addJoiningReplica(on: NodeID(4))
        let silent = NodeID(3)
        cell.isolated = [silent]
        let leader = try Scenario.leader(&cell)
        for _ in 0..<ReplicaOptions().heartbeatIntervalTicks * 2 { cell.tick() }
        let follower = [NodeID(1), NodeID(2)].first { $0 != leader }!
        #expect(cell.replicas[leader]?.liveMembers == [leader, follower].sorted())
        #expect(cell.replicas[leader]?.membershipChangeVerdict(change(follower.rawValue, 4), expectedEpoch: 1)
            == .refused(.wouldLoseMajority(live: [leader, follower].sorted(), quorum: 2)))
    }
}
