import ColonyCore
import ColonySim
import Testing

@Suite("a census of replicas")
struct ReplicaCensusTests {
    @Test("replicas know no leader until one stands for election and wins; then the census counts one leader and none without")
    func leaderlessUntilElected() throws {
        var cell = try Scenario.cell(3)
        #expect(census(of: cell) == ReplicaCensus(withoutLeader: 3))

        let leader = try Scenario.leader(&cell)
        cell.deliverAll()
        #expect(census(of: cell) == ReplicaCensus(leaders: 1))
        #expect(cell.events.contains { $0.node == leader && { if case .stoodForElection = $0 { true } else { false } }($0.event) })
    }

    private func census(of cell: InMemoryCell) -> ReplicaCensus {
        var census = ReplicaCensus()
        for replica in cell.replicas.values {
            census.count(replica)
        }
        return census
    }
}
