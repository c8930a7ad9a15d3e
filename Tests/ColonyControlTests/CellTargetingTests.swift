import ColonyControl
import ColonyCore
import ColonyPlacement
import Testing

@Suite("choosing where a cell should be")
struct CellTargetingTests {
    @Test("off a member: the target keeps every other member and takes the placer's choice for it")
    func offAMember() throws {
        let fixture = try ControlFixture(cells: ["a", "b", "c"])
        let before = fixture.record("a").placement.members
        let record = try CellTargeting.target(.off(before[0]), of: "a", in: fixture.snapshot)
        let target = try #require(record.target)
        #expect(!target.members.contains(before[0]))
        #expect(Set(target.members).intersection(before).count == before.count - 1)
        #expect(record.placement.members == before, "the placement stays until the loop moves the cell")
    }

    @Test("onto named members: exactly those, active and distinct, one per replica; back where it is means no target")
    func ontoMembers() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        #expect(try CellTargeting.target(.onto(members.reversed()), of: "a", in: fixture.snapshot).target == nil)
        let elsewhere = fixture.snapshot.nodes.map { NodeID($0.id) }.filter { !members.contains($0) }
        let moved = try CellTargeting.target(.onto(Array(elsewhere.prefix(3))), of: "a", in: fixture.snapshot)
        #expect(moved.target?.members == Array(elsewhere.prefix(3)))
        #expect(throws: ControlError.self) { try CellTargeting.target(.onto(Array(elsewhere.prefix(2))), of: "a", in: fixture.snapshot) }
        fixture.setState(.draining, of: elsewhere[0])
        #expect(throws: ControlError.self) { try CellTargeting.target(.onto(Array(elsewhere.prefix(3))), of: "a", in: fixture.snapshot) }
    }

    @Test("off a node that is not a member, or a cell the directory does not know, is refused")
    func refusals() throws {
        let fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let outsider = fixture.snapshot.nodes.map { NodeID($0.id) }.first { !fixture.record("a").placement.members.contains($0) }!
        #expect(throws: ControlError.notAMember(cell: "a", node: outsider)) {
            try CellTargeting.target(.off(outsider), of: "a", in: fixture.snapshot)
        }
        #expect(throws: ControlError.directory(.unknownCell("zz"))) { try CellTargeting.target(.near(zone: "z1"), of: "zz", in: fixture.snapshot) }
    }
}
