@_spi(Testing) @testable import ColonyControl
import ColonyCore
import ColonyPlacement
import Testing

@Suite("the control plane never removes a member a cell needs to commit")
struct LiveMajorityTests {
    /// A 3-replica cell with one member drained and another not answering (down).
    static func drainWhileAnotherIsDown() throws -> (fixture: ControlFixture, drained: NodeID) {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.setState(.draining, of: members[0])
        fixture.observe("a", members: members, epoch: 1)
        fixture.observed["a"]?.replicas[members[1]] = nil
        return (fixture, members[0])
    }

    @Test("a drain waits while another member of the cell is down, and starts once it is back")
    func drainWaits() throws {
        var (fixture, drained) = try Self.drainWhileAnotherIsDown()
        let held = fixture.plan(newMovesMax: 5)
        #expect(held.started.isEmpty)
        #expect(held.heldForLiveMajority == [CellID("a")])
        fixture.observe("a", members: fixture.record("a").placement.members, epoch: 1)
        let started = try #require(fixture.plan(newMovesMax: 5).started.first?.move)
        #expect(started.remove == drained.rawValue)
    }

    @Test("without rule 7 the same drain starts at once, leaving one live member of three")
    func defectStartsTheDrain() throws {
        let (fixture, drained) = try Self.drainWhileAnotherIsDown()
        let plan = Reconciler.plan(
            fixture.snapshot, observed: fixture.observed, newMovesMax: 5, movesUnderWayMax: .max, transfersMax: 0, transfersHeld: [],
            defects: [.removesWithoutMajorityGuard])
        #expect(plan.started.first?.move?.remove == drained.rawValue)
    }

    @Test("a move under way does not send its change while it would leave fewer than a majority ready")
    func changeWaits() throws {
        var (fixture, drained) = try Self.drainWhileAnotherIsDown()
        fixture.observe("a", members: fixture.record("a").placement.members, epoch: 1)
        let started = try #require(fixture.plan(newMovesMax: 5).started.first)
        fixture.replace(started)
        let members = fixture.snapshot.cells[0].membersBeforeMove
        fixture.observe("a", members: members, epoch: 1)
        fixture.observed["a"]?.replicas[members.first { $0 != drained }!] = nil
        let plan = fixture.plan(newMovesMax: 5)
        #expect(!plan.actions.contains { if case .change = $0 { true } else { false } })
        #expect(plan.heldForLiveMajority == [CellID("a")])
    }

    @Test("removing a member that is itself down needs only the others: a gone node's replica is re-placed")
    func goneMemberIsReplaced() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.setState(.gone, of: members[0])
        fixture.observed["a"]?.replicas[members[0]] = nil
        #expect(fixture.plan(newMovesMax: 5).started.first?.move?.remove == members[0].rawValue)
    }

    @Test("a move toward a target that keeps a gone member judges the member it takes out, not the gone one")
    func targetMoveJudgesTheMemberItRemoves() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 5)
        let members = fixture.record("a").placement.members
        fixture.setState(.gone, of: members[0])
        // The operator moves the cell off members[4]: the target keeps the gone members[0].
        let targeted = try CellTargeting.target(.off(members[4]), of: "a", in: fixture.snapshot)
        #expect(targeted.target?.members.contains(members[0]) == true)
        fixture.replace(targeted)
        // members[0] is gone and members[1] down: three of five ready, so taking out members[4]
        // would leave two.
        fixture.observed["a"]?.replicas[members[0]] = nil
        fixture.observed["a"]?.replicas[members[1]] = nil
        let plan = fixture.plan(newMovesMax: 5)
        #expect(plan.started.isEmpty)
        #expect(plan.heldForLiveMajority == [CellID("a")])
        // members[1] is back: four of five ready, and the move starts.
        fixture.observe("a", members: members, epoch: 1)
        fixture.observed["a"]?.replicas[members[0]] = nil
        #expect(fixture.plan(newMovesMax: 5).started.first?.move?.remove == members[4].rawValue)
    }
}
