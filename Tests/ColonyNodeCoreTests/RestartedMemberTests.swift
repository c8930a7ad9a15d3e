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
