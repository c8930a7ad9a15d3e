@_spi(Testing) import ColonyCore
import Testing

/// A leader's accepts leave before its own record of the slot is written; its vote must count
/// only once written. The simulator's random faults rarely line up to show why: a leader's
/// disk is slow, one follower votes for the slot, the next accept carries a commit point past
/// it, the leader crashes before its record is written, and a new majority without that
/// follower decides the slot afresh. This scenario walks straight into it, through the real
/// node cores and their durability gates.
@Suite("a leader that crashes before its own vote is written")
struct UnwrittenLeaderVoteTests {
    static let cell = CellID("cell")
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    static func put(_ value: String, client: UInt64) -> ClientRequest {
        ClientRequest(id: RequestID(client: ClientID(client), sequence: 1), cell: cell, operation: .put(Key("k"), Array(value.utf8)))
    }

    /// Plays the scenario; returns the slots at which the nodes applied different batches.
    func play(defects: Set<Defect>) throws -> [Slot] {
        var colony = try HandWiredNodes(cell: Self.cell, members: Self.members, defects: defects)
        let elected = colony.tick(until: { !$0.leaders.isEmpty })
        #expect(elected, "the cell elects a leader")
        let leader = try #require(colony.leaders.first)
        let voter = try #require(Self.members.first { $0 != leader })
        let bystander = try #require(Self.members.first { $0 != leader && $0 != voter })
        for _ in 0..<3 * Int(ReplicaOptions().heartbeatIntervalTicks) { colony.tick() }

        // The leader's disk stalls; only the voter hears its accepts.
        colony.cutLinks = [[leader, bystander]]
        colony.setWritesAtOnce(false, on: leader)
        colony.submit(Self.put("unwritten", client: 1), to: leader)
        colony.deliverAll()
        colony.submit(Self.put("second", client: 2), to: leader)
        colony.deliverAll()

        // The leader crashes before writing either slot; the voter is cut off while the
        // restarted leader and the bystander decide the cell's next slots.
        colony.crash(leader)
        colony.cutLinks = [[voter, leader], [leader, voter], [voter, bystander], [bystander, voter]]
        let reelected = colony.tick(until: { !$0.leaders.filter { $0 != voter }.isEmpty })
        #expect(reelected, "a majority without the voter elects a leader")
        let successor = try #require(colony.leaders.first { $0 != voter })
        colony.submit(Self.put("after", client: 3), to: successor)
        colony.deliverAll()
        colony.cutLinks = []
        for _ in 0..<3 * Int(ReplicaOptions().heartbeatIntervalTicks) { colony.tick() }

        let slots = Set(colony.applied.map(\.slot)).sorted()
        return slots.filter { colony.batches(appliedAt: $0).count > 1 }
    }

    @Test("the slot is decided once: the voter learns the value the new majority chose")
    func agreementHolds() throws {
        let disagreements = try play(defects: [])
        #expect(disagreements.isEmpty, "replicas applied different batches at slots \(disagreements)")
    }

    @Test("with countsOwnVoteBeforeDurable, the voter applies a value the new majority never saw, and replicas disagree")
    func countingTheUnwrittenVoteBreaksAgreement() throws {
        let disagreements = try play(defects: [.countsOwnVoteBeforeDurable])
        #expect(!disagreements.isEmpty, "the defect went unnoticed")
    }
}
