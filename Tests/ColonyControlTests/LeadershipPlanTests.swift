import ColonyControl
import ColonyCore
import Testing

@Suite("the reconciler moves each cell's lead to its placement's preferred leader")
struct LeadershipPlanTests {
    /// A fixture with cells `names` whose leader is a member other than the preferred one.
    private func ledAway(_ names: [String]) throws -> ControlFixture {
        var fixture = try ControlFixture(cells: names)
        for name in names {
            let placement = fixture.record(name).placement
            let other = try #require(placement.members.first { $0 != placement.preferredLeader })
            fixture.observeLeader(name, other)
        }
        return fixture
    }

    @Test("a settled cell led by another member is asked to hand its lead to the preferred one")
    func transferPlanned() throws {
        let fixture = try ledAway(["a"])
        let placement = fixture.record("a").placement
        let leader = try #require(fixture.observed["a"]?.leader)
        #expect(fixture.plan(transfersMax: 1).transfers == [
            .transferLeadership(cell: CellID("a"), from: leader, to: placement.preferredLeader),
        ])
    }

    @Test("a cell led by its preferred leader, or with no leader known, gets no transfer")
    func nothingToDo() throws {
        var fixture = try ControlFixture(cells: ["a", "b"])
        fixture.observeLeader("a", fixture.record("a").placement.preferredLeader)
        #expect(fixture.plan(transfersMax: 5).transfers.isEmpty)
    }

    @Test("while paused no transfer is planned")
    func pausedStopsTransfers() throws {
        var fixture = try ledAway(["a", "b"])
        #expect(fixture.plan(transfersMax: 5).transfers.count == 2)
        fixture.snapshot.settings.paused = true
        #expect(fixture.plan(transfersMax: 5).transfers.isEmpty)
    }

    @Test("at most transfersMax a pass, and none for a cell asked recently")
    func throttledAndHeld() throws {
        let fixture = try ledAway(["a", "b", "c"])
        #expect(fixture.plan(transfersMax: 0).transfers.isEmpty)
        #expect(fixture.plan(transfersMax: 2).transfers.count == 2)
        let held = fixture.plan(transfersMax: 5, transfersHeld: [CellID("a"), CellID("c")]).transfers
        #expect(held.count == 1)
        guard case .transferLeadership(let cell, _, _)? = held.first else { return }
        #expect(cell == CellID("b"))
    }

    @Test("no transfer to a preferred leader that is draining, did not answer, or waits to be renewed")
    func preferredLeaderMustBeReady() throws {
        var draining = try ledAway(["a"])
        draining.setState(.draining, of: draining.record("a").placement.preferredLeader)
        #expect(draining.plan(transfersMax: 1).transfers.isEmpty)

        var silent = try ledAway(["a"])
        let silentNode = silent.record("a").placement.preferredLeader
        silent.observed["a"]?.replicas[silentNode] = nil
        #expect(silent.plan(transfersMax: 1).transfers.isEmpty)

        var damaged = try ledAway(["a"])
        let damagedNode = damaged.record("a").placement.preferredLeader
        damaged.observed["a"]?.replicas[damagedNode]?.isDamaged = true
        #expect(damaged.plan(transfersMax: 1).transfers.isEmpty)
    }

    @Test("no transfer while the cell has a move under way")
    func moveUnderWayBlocks() throws {
        var fixture = try ledAway(["a"])
        let member = try #require(fixture.record("a").placement.members.first { $0 != fixture.record("a").placement.preferredLeader })
        fixture.setState(.draining, of: member)
        let started = try #require(fixture.plan().started.first)
        fixture.replace(started)
        #expect(fixture.plan(newMovesMax: 0, transfersMax: 5).transfers.isEmpty)
    }

    @Test("when two members say they lead, the leader is not known and nothing is asked")
    func twoClaimsMeanUnknown() throws {
        var fixture = try ledAway(["a"])
        fixture.observeLeader("a", fixture.record("a").placement.preferredLeader)
        #expect(fixture.observed["a"]?.leader == nil)
        #expect(fixture.plan(transfersMax: 1).transfers.isEmpty)
    }
}
