@_spi(Testing) import ColonyCore
import ColonySim
import Testing

/// An idle cell rests: its leader stops heartbeating and its followers stop their election
/// timers; it wakes for a request or a message, and a woken leader confirms its leadership
/// before it answers a read, as any leader does.
@Suite("quiescent cells")
struct QuiescenceTests {
    /// Ticks enough for an elected leader's cell to go quiet: a heartbeat round to learn that
    /// every member applied what it applied, then the idle wait.
    static let settleTicks = Int(ReplicaOptions().heartbeatIntervalTicks * 2 + ReplicaOptions().quiesceIdleTicks + 5)

    /// A five-replica cell that wrote "k" = "v" and has gone quiet since.
    static func restingCell(options: ReplicaOptions = ReplicaOptions()) throws -> (cell: InMemoryCell, leader: NodeID) {
        var cell = try Scenario.cell(5, options: options)
        let leader = try Scenario.leader(&cell)
        cell.submit(Scenario.put("k", "v"), to: leader)
        for _ in 0..<settleTicks { cell.tick() }
        return (cell, leader)
    }

    @Test("an idle cell's replicas all rest, and resting they send nothing, however long")
    func idleCellRests() throws {
        var (cell, leader) = try Self.restingCell()
        #expect(cell.nodes.allSatisfy { cell.replicas[$0]?.isQuiescent == true })
        for _ in 0..<10_000 { cell.tick() }
        #expect(cell.inFlight.isEmpty, "a resting cell sent \(cell.inFlight.count) messages")
        #expect(cell.leaders == [leader])
    }

    @Test("a leader woken by a read answers only after a majority confirms it still leads")
    func wokenLeaderConfirmsBeforeReading() throws {
        var (cell, leader) = try Self.restingCell()
        cell.isolated = Set(cell.nodes.filter { $0 != leader })
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(cell.replies.last?.id != RequestID(client: ClientID(99), sequence: 1), "answered without a round")
        cell.isolated = []
        cell.deliverAll()
        for _ in 0..<Int(ReplicaOptions().retransmitTicks) + 1 { cell.tick() }
        #expect(Scenario.readValue(cell.replies.last) == "v")
    }

    @Test("with the defect, a woken leader answers the read at once, with nobody reachable")
    func defectAnswersWithoutRound() throws {
        var options = ReplicaOptions()
        options.defects = [.quiescentReadsSkipConfirmation]
        var (cell, leader) = try Self.restingCell(options: options)
        cell.isolated = Set(cell.nodes.filter { $0 != leader })
        cell.submit(Scenario.get("k", sequence: 1), to: leader)
        #expect(Scenario.readValue(cell.replies.last) == "v")
    }

    @Test("a leader does not rest while a member it hears from reports lagging behind what it applied")
    func laggingMemberKeepsTheLeaderAwake() throws {
        var cell = try Scenario.cell(3)
        let leader = try Scenario.leader(&cell)
        let lagging = try #require(cell.nodes.first { $0 != leader })
        cell.forge = { from, _, body in
            guard from == lagging, case .heartbeatReply(let ballot, let round, _) = body else { return body }
            return .heartbeatReply(ballot, round: round, appliedThrough: 0)
        }
        cell.submit(Scenario.put("k", "v"), to: leader)
        for _ in 0..<500 { cell.tick() }
        #expect(cell.replicas[leader]?.isQuiescent == false, "it rested while \(lagging) answered that it lags")
        cell.forge = nil
        for _ in 0..<Self.settleTicks { cell.tick() }
        #expect(cell.nodes.allSatisfy { cell.replicas[$0]?.isQuiescent == true })
    }
}
