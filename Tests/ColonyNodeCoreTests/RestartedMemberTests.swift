@_spi(Testing) @testable import ColonyCore
import Testing

/// Two of a cell's three members restart with their stored state of it damaged, while the
/// leader's links to them have not reopened: whatever the leader sends them is lost. A
/// damaged replica that holds no state knows no member to fetch the cell from, and it does
/// not answer heartbeats; it learns whom to ask only from a leader or candidate that speaks
/// to it. If the leader rested on what those members reported before they restarted, it
/// would never speak again, and the damaged members would never fetch the cell.
@Suite("a leader whose members' nodes restarted")
struct RestartedMemberTests {
    static let cell = CellID("cell")
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    /// Plays the scenario; returns whether the leader went quiescent while its links were
    /// cut, and the members that hold the cell's state at the end.
    func play(defects: Set<Defect>) throws -> (rested: Bool, fetched: [NodeID]) {
        var colony = try HandWiredNodes(cell: Self.cell, members: Self.members, defects: defects)
        let elected = colony.tick(until: { !$0.leaders.isEmpty })
        #expect(elected, "the cell elects a leader")
        let leader = try #require(colony.leaders.first)
        let damaged = Self.members.filter { $0 != leader }
        // The leader about to rest: every member reported applying what it applied.
        let idle = colony.tick(until: { colony in
            colony.nodes[leader]?.core.host.replica(Self.cell).map { !$0.isQuiescent && $0.leaderIsIdle } ?? false
        })
        try #require(idle)

        colony.cutLinks = Set(damaged.map { [leader, $0] })
        for member in damaged { colony.crash(member, damaging: [Self.cell]) }
        let rested = colony.tick(until: { $0.nodes[leader]?.core.host.replica(Self.cell)?.isQuiescent == true }, limit: 300)
        colony.cutLinks = []
        for _ in 0..<300 { colony.tick() }
        let fetched = damaged.filter { colony.nodes[$0]?.core.host.replica(Self.cell)?.configuration != nil }
        return (rested, fetched)
    }

    /// A member restarts damaged while no one's messages reach it, and the leader then hands
    /// the lead to the third member, whose node saw the restart; returns whether the new leader went quiescent while the
    /// links were cut, and whether the damaged member holds the cell's state at the end.
    func playNewLeader(defects: Set<Defect>) throws -> (rested: Bool, fetched: Bool) {
        var colony = try HandWiredNodes(cell: Self.cell, members: Self.members, defects: defects)
        let elected = colony.tick(until: { !$0.leaders.isEmpty })
        #expect(elected, "the cell elects a leader")
        let leader = try #require(colony.leaders.first)
        let successor = try #require(Self.members.first { $0 != leader })
        let damaged = try #require(Self.members.first { $0 != leader && $0 != successor })
        // A second cell, led by the member to be damaged: its frames tell the successor's node
        // that node's incarnation, so the successor's node sees it change.
        let other = try #require((0...).lazy.map { CellID("other-\($0)") }.first {
            ReplicaHost.firstCandidate(of: $0, among: Self.members) == damaged
        })
        colony.create([(other, try CellConfiguration(epoch: 1, members: Self.members, startSlot: 1))], at: leader)
        let otherLed = colony.tick(until: { $0.nodes[damaged]?.core.host.replica(other)?.isLeader == true })
        try #require(otherLed)

        colony.cutLinks = [[leader, damaged], [successor, damaged]]
        colony.crash(damaged, damaging: [Self.cell])
        colony.tick()
        #expect(colony.transferLeadership(of: Self.cell, from: leader, to: successor) == .asked)
        let took = colony.tick(until: { $0.nodes[successor]?.core.host.replica(Self.cell)?.isLeader == true }, limit: 300)
        try #require(took, "the successor takes the lead")
        let rested = colony.tick(until: { $0.nodes[successor]?.core.host.replica(Self.cell)?.isQuiescent == true }, limit: 250)
        colony.cutLinks = []
        for _ in 0..<300 { colony.tick() }
        return (rested, colony.nodes[damaged]?.core.host.replica(Self.cell)?.configuration != nil)
    }

    @Test("a member that takes the lead after another member's node restarted does not rest before that member answers")
    func newLeaderWaitsForRestartedMember() throws {
        let (rested, fetched) = try playNewLeader(defects: [])
        #expect(!rested, "the new leader rested before the restarted member answered")
        #expect(fetched, "the damaged member fetched the cell")
    }

    @Test("with leaderRestsBeforeRestartedMemberAnswers, the new leader rests and the damaged member never fetches the cell")
    func newLeaderDefectLeavesItWaiting() throws {
        let (rested, fetched) = try playNewLeader(defects: [.leaderRestsBeforeRestartedMemberAnswers])
        #expect(rested)
        #expect(!fetched)
    }

    @Test("a restarted member that never answers keeps the leader awake for restartedMemberWaitTicks, not for good")
    func silentMemberLapses() throws {
        var colony = try HandWiredNodes(cell: Self.cell, members: Self.members, defects: [])
        let elected = colony.tick(until: { !$0.leaders.isEmpty })
        #expect(elected, "the cell elects a leader")
        let leader = try #require(colony.leaders.first)
        let silent = try #require(Self.members.first { $0 != leader })
        let idle = colony.tick(until: { colony in
            colony.nodes[leader]?.core.host.replica(Self.cell).map { !$0.isQuiescent && $0.leaderIsIdle } ?? false
        })
        try #require(idle)

        // Its announcement reaches the leader; nothing the leader sends reaches it, and a
        // restarted replica that holds its state rests without a word until woken.
        colony.cutLinks = [[leader, silent]]
        colony.crash(silent)
        var ticks = 0
        let wait = Int(ReplicaOptions().restartedMemberWaitTicks)
        let rested = colony.tick(until: { colony in
            ticks += 1
            return colony.nodes[leader]?.core.host.replica(Self.cell)?.isQuiescent == true
        }, limit: 3 * wait)
        #expect(rested, "the leader never rested")
        #expect(ticks >= wait, "the leader rested after \(ticks) ticks, before the member had \(wait) to answer")
    }

    @Test("the leader does not rest before they answer; once its links reopen both fetch the cell")
    func damagedMembersFetch() throws {
        let (rested, fetched) = try play(defects: [])
        #expect(!rested, "the leader rested before the restarted members answered")
        #expect(fetched.count == 2, "members holding the cell: \(fetched)")
    }

    @Test("with leaderRestsBeforeRestartedMemberAnswers, the leader rests and neither damaged member ever fetches the cell")
    func defectLeavesThemWaiting() throws {
        let (rested, fetched) = try play(defects: [.leaderRestsBeforeRestartedMemberAnswers])
        #expect(rested)
        #expect(fetched.isEmpty, "members holding the cell: \(fetched)")
    }
}
