import ColonyControl
import ColonyCore
import ColonyPlacement
import Testing

@Suite("the control plane's decisions: what to move next")
struct ReconcilerTests {
    @Test("a settled colony of active nodes needs nothing")
    func settled() throws {
        let fixture = try ControlFixture(cells: ["a", "b", "c"])
        let plan = fixture.plan(newMovesMax: 5)
        #expect(plan.actions.isEmpty)
        #expect(plan.replicasToMove == 0)
    }

    @Test("a drained node's replicas move one cell per token, to active nodes chosen by the placer")
    func drainStartsMoves() throws {
        var fixture = try ControlFixture(cells: ["a", "b", "c", "d"])
        let drained = fixture.busiestNode
        fixture.setState(.draining, of: drained)
        let hosted = fixture.snapshot.cells.filter { $0.placement.members.contains(drained) }.count
        #expect(fixture.plan(newMovesMax: 0).started.isEmpty, "no token, no move")
        let plan = fixture.plan(newMovesMax: 1)
        #expect(plan.replicasToMove == hosted)
        let started = try #require(plan.started.first)
        #expect(plan.started.count == 1)
        let move = try #require(started.move)
        #expect(move.remove == drained.rawValue && move.reason == MoveReason.drain)
        #expect(!started.placement.members.contains(drained) && started.placement.members.contains(NodeID(move.add)))
        #expect(fixture.snapshot.nodes.first { $0.id == move.add }?.state == .active)
        #expect(started.clientAddresses.count == started.placement.members.count)
        #expect(fixture.plan(newMovesMax: hosted + 3).started.count == hosted, "one move per cell, never two")
    }

    @Test("no new move starts beyond the colony-wide bound on moves under way, whatever the tokens")
    func movesUnderWayBounded() throws {
        var fixture = try ControlFixture(cells: ["a", "b", "c", "d"])
        fixture.setState(.draining, of: fixture.busiestNode)
        #expect(fixture.plan(newMovesMax: 5, movesUnderWayMax: 1).started.count == 1)
        let started = try #require(fixture.plan().started.first)
        fixture.replace(started)
        #expect(fixture.plan(newMovesMax: 5, movesUnderWayMax: 1).started.isEmpty)
        #expect(fixture.plan(newMovesMax: 5, movesUnderWayMax: 2).started.count == 1)
    }

    @Test("replicas on gone nodes are re-placed before drains")
    func goneFirst() throws {
        var fixture = try ControlFixture(cells: ["a", "b", "c", "d"])
        let drained = fixture.busiestNode
        let gone = try #require(fixture.snapshot.nodes.map { NodeID($0.id) }.first { node in
            node != drained && fixture.snapshot.cells.contains { $0.placement.members.contains(node) && !$0.placement.members.contains(drained) }
        })
        fixture.setState(.draining, of: drained)
        fixture.setState(.gone, of: gone)
        let move = try #require(fixture.plan(newMovesMax: 1).started.first?.move)
        #expect(move.remove == gone.rawValue && move.reason == MoveReason.gone)
    }

    @Test("within a cell, the member on a gone node is replaced before the one on a draining node")
    func goneFirstWithinCell() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let members = fixture.record("a").placement.members
        fixture.setState(.draining, of: members[0])
        fixture.setState(.gone, of: members[1])
        let plan = fixture.plan()
        let move = try #require(plan.started.first?.move)
        #expect(move.remove == members[1].rawValue && move.reason == MoveReason.gone)
        #expect(plan.replicasToMove == 2)
    }

    @Test("a move under way is seen through: its change until applied, its new member until renewed, then recorded")
    func moveSeenThrough() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let drained = fixture.record("a").placement.members[0]
        fixture.setState(.draining, of: drained)
        let started = try #require(fixture.plan().started.first)
        let move = try #require(started.move)
        fixture.replace(started)
        #expect(fixture.plan().changes == [.change(cell: CellID("a"), remove: NodeID(move.remove), add: NodeID(move.add), expectedEpoch: 1)])
        fixture.observe("a", members: started.placement.members, epoch: 2, damaged: [NodeID(move.add)])
        #expect(fixture.plan().actions == [.waitForMember(cell: CellID("a"), node: NodeID(move.add))])
        fixture.observe("a", members: started.placement.members, epoch: 3)
        var done = started
        done.move = nil
        #expect(fixture.plan().actions == [.finish(done)])
    }

    @Test("while paused no move starts and no change is sent; a finished move is still recorded")
    func pausedStopsEverything() throws {
        var fixture = try ControlFixture(cells: ["a", "b"])
        fixture.setState(.draining, of: fixture.record("a").placement.members[0])
        let started = try #require(fixture.plan().started.first)
        fixture.replace(started)
        fixture.snapshot.settings.paused = true
        let paused = fixture.plan(newMovesMax: 5)
        #expect(paused.started.isEmpty && paused.changes.isEmpty)
        fixture.observe(started.cell.name, members: started.placement.members, epoch: 3)
        #expect(fixture.plan(newMovesMax: 5).actions.contains { if case .finish = $0 { true } else { false } })
    }

    @Test("a cell whose member waits to be renewed gets no new move")
    func unrenewedMemberBlocks() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let members = fixture.record("a").placement.members
        fixture.setState(.draining, of: members[0])
        fixture.observe("a", members: members, epoch: 2, damaged: [members[1]])
        #expect(fixture.plan(newMovesMax: 3).started.isEmpty)
    }

    @Test("members changed outside the control plane are reported, not fought")
    func driftIsReported() throws {
        var fixture = try ControlFixture(cells: ["a"])
        var members = fixture.record("a").placement.members
        let outsider = try #require((1...9).map { NodeID(UInt32($0)) }.first { !members.contains($0) })
        members[0] = outsider
        fixture.setState(.draining, of: members[1])
        fixture.observe("a", members: members, epoch: 2)
        let plan = fixture.plan(newMovesMax: 3)
        #expect(plan.started.isEmpty)
        #expect(plan.actions.contains { if case .problem(CellID("a"), _) = $0 { true } else { false } })
    }

    @Test("a move whose destination stopped being active before the cell applied it is given up")
    func abandonMove() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let original = fixture.record("a").placement.members
        fixture.setState(.draining, of: original[0])
        let started = try #require(fixture.plan().started.first)
        fixture.replace(started)
        fixture.setState(.draining, of: NodeID(try #require(started.move).add))
        guard case .abandon(let undone)? = fixture.plan().actions.first else {
            Issue.record("the move was not given up")
            return
        }
        #expect(undone.move == nil && undone.placement.members == original)
    }

    @Test("a target is reached one member at a time, then recorded as the placement")
    func towardTarget() throws {
        var fixture = try ControlFixture(cells: ["a"])
        var record = fixture.record("a")
        let outsiders = (1...9).map { NodeID(UInt32($0)) }.filter { !record.placement.members.contains($0) }
        var target = record.placement
        target.members = (Array(record.placement.members.dropFirst(2)) + outsiders.prefix(2)).sorted()
        target.preferredLeader = target.members[0]
        record.target = target
        fixture.replace(record)
        let plan = fixture.plan(newMovesMax: 3)
        #expect(plan.replicasToMove == 2)
        let first = try #require(plan.started.first)
        #expect(plan.started.count == 1)
        #expect(first.move?.reason == .target)
        #expect(Set(first.placement.members).subtracting(record.placement.members).count == 1)
        var there = record
        there.placement.members = target.members
        fixture.replace(there)
        fixture.observe("a", members: target.members, epoch: 5)
        guard case .reachTarget(let done)? = fixture.plan().actions.first else {
            Issue.record("reaching the target was not recorded")
            return
        }
        #expect(done.target == nil && done.placement == target)
    }

    @Test("the move that reaches the target finishes with the target as the placement, in one write")
    func lastMoveReachesTarget() throws {
        var fixture = try ControlFixture(cells: ["a"])
        var record = fixture.record("a")
        let outsider = try #require((1...9).map { NodeID(UInt32($0)) }.first { !record.placement.members.contains($0) })
        var target = record.placement
        target.members = (Array(record.placement.members.dropFirst()) + [outsider]).sorted()
        target.preferredLeader = outsider
        record.target = target
        fixture.replace(record)
        let started = try #require(fixture.plan().started.first)
        fixture.replace(started)
        fixture.observe("a", members: started.placement.members, epoch: 3)
        let plan = fixture.plan()
        guard plan.actions.count == 1, case .finish(let done)? = plan.actions.first else {
            Issue.record("the last move was not finished in one action: \(plan.actions)")
            return
        }
        #expect(done.move == nil && done.target == nil && done.placement == target)
    }

    @Test("a target whose remaining nodes stopped being active is reported, not moved toward")
    func staleTarget() throws {
        var fixture = try ControlFixture(cells: ["a"])
        var record = fixture.record("a")
        let outsider = try #require((1...9).map { NodeID(UInt32($0)) }.first { !record.placement.members.contains($0) })
        var target = record.placement
        target.members = (Array(record.placement.members.dropFirst()) + [outsider]).sorted()
        record.target = target
        fixture.replace(record)
        fixture.setState(.draining, of: outsider)
        let plan = fixture.plan(newMovesMax: 3)
        #expect(plan.started.isEmpty)
        #expect(plan.actions.contains { if case .problem(CellID("a"), _) = $0 { true } else { false } })
    }

    // MARK: - Rebalancing

    /// Nine cells of five replicas on the nine nodes (five each), and node 10 just joined, empty.
    private func joined() throws -> ControlFixture {
        var fixture = try ControlFixture(cells: (1...9).map { "cell-\($0)" })
        fixture.join(10, zone: "z1")
        return fixture
    }

    /// Carries out the plan's new moves, one token a pass, each applied and renewed at once;
    /// the moves started, in order.
    private func settle(_ fixture: inout ControlFixture, passesMax: Int = 100) -> [PendingMove] {
        var moves: [PendingMove] = []
        for _ in 0..<passesMax {
            guard let started = fixture.plan(newMovesMax: 1).started.first, let move = started.move else { break }
            moves.append(move)
            fixture.complete(started)
        }
        return moves
    }

    @Test("a node that joins empty takes replicas off the most loaded nodes, one move per token, deterministically")
    func joinedNodeTakesReplicas() throws {
        let fixture = try joined()
        let loads = fixture.activeLoads
        let plan = fixture.plan(newMovesMax: 1)
        let move = try #require(plan.started.first?.move)
        #expect(plan.started.count == 1)
        #expect(move.reason == .rebalance && move.add == 10)
        #expect(loads[NodeID(move.remove)] == loads.values.max())
        #expect(plan.replicasToMove == 0, "rebalancing is not counted as replicas still to move")
        #expect(fixture.plan(newMovesMax: 1) == plan, "the same directory and observations give the same plan")
        let three = fixture.plan(newMovesMax: 3).started
        #expect(three.count == 3 && Set(three.map(\.cell)).count == 3, "one move per cell, one per token")
        #expect(fixture.plan(newMovesMax: 0).started.isEmpty, "no token, no move")
    }

    @Test("rebalancing stops once every active node holds within one replica of every other")
    func rebalancingEvensLoads() throws {
        var fixture = try joined()
        let relaxedBefore = Dictionary(uniqueKeysWithValues: fixture.snapshot.cells.map { ($0.cell, Set($0.placement.relaxed.map(\.rule))) })
        let moves = settle(&fixture)
        let loads = fixture.activeLoads
        #expect(!moves.isEmpty && moves.allSatisfy { $0.reason == .rebalance })
        #expect(loads.values.max()! - loads.values.min()! <= 1, "\(loads)")
        #expect(fixture.plan(newMovesMax: 5).actions.isEmpty)
        for record in fixture.snapshot.cells {
            let relaxed = Set(record.placement.relaxed.map(\.rule))
            #expect(relaxed.isSubset(of: relaxedBefore[record.cell] ?? []), "\(record.cell) gave up \(relaxed) for balance")
        }
    }

    @Test("a drained node activated again is given replicas back until loads are even")
    func reactivatedNodeIsRefilled() throws {
        var fixture = try ControlFixture(cells: (1...9).map { "cell-\($0)" })
        let drained = fixture.busiestNode
        fixture.setState(.draining, of: drained)
        #expect(settle(&fixture).allSatisfy { $0.reason == .drain })
        fixture.setState(.active, of: drained)
        let moves = settle(&fixture)
        #expect(moves.first?.add == drained.rawValue && moves.allSatisfy { $0.reason == .rebalance })
        let loads = fixture.activeLoads
        #expect(loads.values.max()! - loads.values.min()! <= 1, "\(loads)")
    }

    @Test("rebalancing comes last: not while paused, not before a drain, and never for a cell not settled")
    func rebalancingWaits() throws {
        var paused = try joined()
        paused.snapshot.settings.paused = true
        #expect(paused.plan(newMovesMax: 5).started.isEmpty)

        var draining = try joined()
        draining.setState(.draining, of: draining.busiestNode)
        #expect(draining.plan(newMovesMax: 1).started.first?.move?.reason == .drain)

        var unsettled = try joined()
        for record in unsettled.snapshot.cells {
            unsettled.observed[record.cell.name]?.replicas[record.placement.members[0]] = nil
        }
        #expect(unsettled.plan(newMovesMax: 5).started.isEmpty, "a cell with a member that did not answer is not rebalanced")
    }
}
