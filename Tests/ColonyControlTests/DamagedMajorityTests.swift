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
        #expect(message.contains("n\(members[0].rawValue) applied through slot 10, n\(members[2].rawValue) applied through slot 10"))
        #expect(message.hasSuffix("colony cell force-recover a --from \(members[0].rawValue) --confirm-data-loss"))
    }

    @Test("the problem suggests forcing the damaged member that applied the most")
    func suggestsTheMostAdvanced() throws {
        var fixture = try ControlFixture(cells: ["a"], replicas: 3)
        let members = fixture.record("a").placement.members
        fixture.observe("a", members: members, epoch: 1, damaged: [members[0], members[2]])
        fixture.observed["a"]?.replicas[members[2]]?.appliedThrough = 14
        let message = try #require(Self.problems(of: fixture.plan(newMovesMax: 5)).first)
        #expect(message.contains("writes acknowledged after slot 14 may be lost"))
        #expect(message.hasSuffix("--from \(members[2].rawValue) --confirm-data-loss"))
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

@Suite("forcing a damaged member back is refused unless it is the way out, and confirmed")
struct ForceRecoveryTests {
    /// Cell `a` of three members at epoch 1, those in `damaged` waiting to be renewed, member
    /// `i` having applied through slot `applied[i]` (10 when not given).
    static func cell(damaged: [Int], applied: [Int: UInt64] = [:]) -> ObservedCell {
        let members = [NodeID(1), NodeID(2), NodeID(3)]
        var replicas: [NodeID: ObservedCell.Replica] = [:]
        for (index, member) in members.enumerated() {
            replicas[member] = ObservedCell.Replica(epoch: 1, isMember: true, isDamaged: damaged.contains(index), appliedThrough: applied[index] ?? 10)
        }
        return ObservedCell(epoch: 1, members: members, replicas: replicas)
    }

    static func refusal(_ verdict: ForceRecovery.Verdict) -> String? {
        guard case .refused(let text) = verdict else { return nil }
        return text
    }

    @Test("a majority damaged, confirmed: the member is forced from its applied slot")
    func confirmedForce() {
        let verdict = ForceRecovery.verdict(cell: "a", observed: Self.cell(damaged: [0, 2]), from: NodeID(1), confirmed: true)
        #expect(verdict == .force(node: NodeID(1), appliedThrough: 10))
    }

    @Test("without confirmation, the refusal spells out what may be lost and the command")
    func unconfirmedSaysTheRisk() throws {
        let text = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: Self.cell(damaged: [0, 2]), from: NodeID(1), confirmed: false)))
        #expect(text.contains("applied through slot 10"))
        #expect(text.contains("Writes the cell acknowledged after the slot it has applied may be lost"))
        #expect(text.hasSuffix("colony cell force-recover a --from 1 --confirm-data-loss"))
    }

    @Test("a majority that votes needs no force")
    func majorityVotes() throws {
        let text = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: Self.cell(damaged: [0]), from: NodeID(1), confirmed: true)))
        #expect(text.hasPrefix("cell a needs no force: 2 of its 3 members vote (n2, n3)"))
    }

    @Test("a member that is not damaged, not a member, or holds no state is refused, and a better member named")
    func wrongMembers() throws {
        var observed = Self.cell(damaged: [0, 2], applied: [0: 12])
        let healthy = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: observed, from: NodeID(2), confirmed: true)))
        #expect(healthy == "n2's replica of cell a is not damaged: it votes already; force n1 instead")
        let stranger = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: observed, from: NodeID(9), confirmed: true)))
        #expect(stranger.hasPrefix("n9 is not a member of cell a"))
        let behind = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: observed, from: NodeID(3), confirmed: true)))
        #expect(behind.hasPrefix("n1 holds more of cell a (applied through slot 12; n3 through slot 10)"))
        observed.replicas[NodeID(1)] = ObservedCell.Replica(epoch: 0, isMember: false, isDamaged: true, appliedThrough: 0)
        let empty = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: observed, from: NodeID(1), confirmed: true)))
        #expect(empty.hasPrefix("n1 holds no state of cell a"))
        #expect(empty.hasSuffix("force n3 instead"))
    }

    @Test("a damaged minority with silent members is not yet a case for force")
    func silentMembers() throws {
        var observed = Self.cell(damaged: [0])
        observed.replicas[NodeID(3)] = nil
        let text = try #require(Self.refusal(ForceRecovery.verdict(cell: "a", observed: observed, from: NodeID(1), confirmed: true)))
        #expect(text.contains("n3 did not answer and may still vote"))
    }
}
