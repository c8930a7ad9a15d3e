@_spi(Testing) import ColonyCore
import ColonySim
import Testing

@Suite("a cell most of whose members lost their state, forced back by an operator")
struct ForcedHealTests {
    /// A cell of three whose leader `leader` leads in round 2 or later, with `x = 1` written,
    /// and whose two other members lost their disks and fetched the cell again from it.
    struct Wiped {
        var cell: InMemoryCell
        var leader: NodeID
        var wiped: [NodeID]
    }

    static func wipedMajority(options: ReplicaOptions = ReplicaOptions(), ticks: Int) throws -> Wiped {
        var cell = try Scenario.cell(3, options: options)
        let first = try Scenario.leader(&cell)
        // A hand-off puts the lead in a later round than a fresh candidacy's first one.
        let leader = try #require(cell.nodes.first { $0 != first })
        cell.transferLeadership(from: first, to: leader)
        for _ in 0..<10 where cell.leaders != [leader] { cell.tick() }
        try #require(cell.leaders == [leader])
        cell.submit(Scenario.put("x", "1"), to: leader)
        let wiped = cell.nodes.filter { $0 != leader }
        for node in wiped { cell.wipe(node) }
        for _ in 0..<ticks { cell.tick() }
        return Wiped(cell: cell, leader: leader, wiped: wiped)
    }

    /// Whether every slot any replica applied holds the same batch wherever it was applied.
    static func agrees(_ cell: InMemoryCell) -> Bool {
        let last = cell.replicas.values.map(\.appliedThrough).max() ?? 0
        return (1...max(1, last)).allSatisfy { slot in Set(cell.appliedBatches(at: slot).values).count <= 1 }
    }

    @Test("two of three members wiped: no leader, ever, until one is forced; then the cell serves and the other is renewed")
    func forcedMemberRestoresService() throws {
        var wiped = try Self.wipedMajority(ticks: 200)
        #expect(wiped.cell.leaders.isEmpty, "the healthy member stepped down and cannot be elected alone")
        #expect(wiped.wiped.allSatisfy { wiped.cell.replicas[$0]?.isDamaged == true && wiped.cell.replicas[$0]?.appliedThrough ?? 0 > 0 })
        #expect(wiped.cell.forceHeal(wiped.leader) == .notDamaged)
        #expect(wiped.cell.forceHeal(wiped.wiped[0]) == nil)
        _ = try Scenario.leader(&wiped.cell)
        for _ in 0..<200 where wiped.cell.replicas[wiped.wiped[1]]?.isDamaged == true { wiped.cell.tick() }
        #expect(wiped.cell.replicas[wiped.wiped[1]]?.isDamaged == false, "renewed the normal way")
        let leader = try Scenario.leader(&wiped.cell)
        wiped.cell.submit(Scenario.get("x", sequence: 1), to: leader)
        let reply = wiped.cell.reply(to: RequestID(client: ClientID(99), sequence: 1))
        #expect(Scenario.readValue(reply) == "1", "\(String(describing: reply))")
        #expect(Self.agrees(wiped.cell))
    }

    @Test("a replica that has fetched nothing yet refuses to be forced")
    func emptyReplicaRefuses() throws {
        var wiped = try Self.wipedMajority(ticks: 0)
        #expect(wiped.cell.forceHeal(wiped.wiped[0]) == .noState)
    }

    @Test("a forced replica survives a restart voting, above its floor")
    func forcedHealIsDurable() throws {
        var wiped = try Self.wipedMajority(ticks: 12)
        let forced = wiped.wiped[0]
        #expect(wiped.cell.forceHeal(forced) == nil)
        let promised = try #require(wiped.cell.replicas[forced]?.promised)
        #expect(promised.round > 2 && promised.node == forced)
        wiped.cell.restart(forced)
        #expect(wiped.cell.replicas[forced]?.canVote == true)
        #expect(wiped.cell.replicas[forced]?.promised ?? .zero >= promised)
    }

    /// Two forced replicas elect a leader of their own while the old leader, frozen and cut
    /// off, still leads with the ballot they had seen; then the old leader writes through one
    /// of them. Without the floor, that replica takes the old ballot, and the slot its new
    /// leader filled is chosen twice.
    static func staleLeaderWritesAfterForce(_ options: ReplicaOptions) throws -> InMemoryCell {
        let wiped = try Self.wipedMajority(options: options, ticks: 12)
        var cell = wiped.cell
        for node in wiped.wiped { try #require(cell.forceHeal(node) == nil) }
        cell.isolated = [wiped.leader]
        cell.frozen = [wiped.leader]
        let newLeader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("x", "new", client: 2), to: newLeader)
        cell.isolated = [newLeader]
        cell.submit(Scenario.put("x", "stale", client: 3), to: wiped.leader)
        return cell
    }

    @Test("a forced replica refuses the ballots it saw before it was forced: the cell agrees on every slot")
    func floorKeepsAgreement() throws {
        let cell = try Self.staleLeaderWritesAfterForce(ReplicaOptions())
        #expect(Self.agrees(cell))
    }

    @Test("without the floor, a forced replica lets a stale leader choose a second value for a slot")
    func withoutFloorTwoValuesAreChosen() throws {
        var options = ReplicaOptions()
        options.defects = [.forcedHealWithoutFloor]
        let cell = try Self.staleLeaderWritesAfterForce(options)
        #expect(!Self.agrees(cell))
    }
}
