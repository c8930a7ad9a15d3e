@testable import ColonyControl
import ColonyCore
import Testing

@Suite("a cell most of whose members lost their state is said to be stuck")
struct DamagedMajorityTests {
    /// The problems the plan says of cell `a`.
    static func problems(of plan: ReconcilePlan) -> [String] {
        plan.actions.compactMap { action in
            guard case .problem(let cell, let message) = action, cell == CellID("a") else { return nil }
            return message
        }
    }

    @Test("two of three members waiting to be renewed: the plan names them and says the cell cannot commit")
    func majorityDamaged() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.observe("a", members: members, epoch: 1, damaged: [members[0], members[2]])
        let problems = Self.problems(of: fixture.plan(newMovesMax: 5))
        #expect(problems.count == 1)
        let message = try #require(problems.first)
        #expect(message.hasPrefix("2 of its 3 members (n\(members[0].rawValue), n\(members[2].rawValue))"))
        #expect(message.contains("cannot commit"))
    }

    @Test("one of three waiting to be renewed is the usual renewal, not a problem")
    func minorityDamaged() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.observe("a", members: members, epoch: 1, damaged: [members[1]])
        #expect(Self.problems(of: fixture.plan(newMovesMax: 5)).isEmpty)
    }

    @Test("members that did not answer are not counted as damaged")
    func silentMembersAreNotDamaged() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.observe("a", members: members, epoch: 1, damaged: [members[0]])
        fixture.observed["a"]?.replicas[members[1]] = nil
        #expect(Self.problems(of: fixture.plan(newMovesMax: 5)).isEmpty)
    }
}
