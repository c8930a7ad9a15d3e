import ColonyCore
import Testing

@Suite("configurations and names")
struct ConfigurationTests {
    let nodes = (1...9).map { NodeID(UInt32($0)) }

    @Test("a configuration needs an odd number of distinct members from 3 to 9")
    func memberCounts() throws {
        #expect(throws: ConfigurationError.badMemberCount(4)) {
            try CellConfiguration(epoch: 1, members: Array(nodes.prefix(4)), startSlot: 1)
        }
        #expect(throws: ConfigurationError.duplicateMember(NodeID(1))) {
            try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(1), NodeID(2)], startSlot: 1)
        }
        let configuration = try CellConfiguration(epoch: 1, members: Array(nodes.prefix(7).reversed()), startSlot: 1)
        #expect(configuration.members == Array(nodes.prefix(7)))
        #expect(configuration.quorum == 4)
    }

    @Test("a membership change replaces one member and starts the next epoch after its slot")
    func membershipChange() throws {
        let configuration = try CellConfiguration(epoch: 3, members: Array(nodes.prefix(3)), startSlot: 5)
        let next = try configuration.applying(MembershipChange(remove: NodeID(2), add: NodeID(9)), at: 40)
        #expect(next.members == [NodeID(1), NodeID(3), NodeID(9)])
        #expect(next.epoch == 4)
        #expect(next.startSlot == 41)
        #expect(throws: ConfigurationError.notAMember(NodeID(8))) {
            try configuration.applying(MembershipChange(remove: NodeID(8), add: NodeID(9)), at: 40)
        }
        #expect(throws: ConfigurationError.alreadyAMember(NodeID(3))) {
            try configuration.applying(MembershipChange(remove: NodeID(1), add: NodeID(3)), at: 40)
        }
    }

    @Test("cell names are checked and the error says what is allowed")
    func cellNames() {
        #expect(throws: CellIDError.empty) { try CellID(validating: "") }
        #expect(throws: CellIDError.invalidCharacter(name: "a b")) { try CellID(validating: "a b") }
        #expect((try? CellID(validating: "tenant/42:vol-0a12")) != nil)
        #expect(CellIDError.invalidCharacter(name: "a b").description.contains("ASCII letters"))
    }

    @Test("ballots order by epoch, then round, then node")
    func ballotOrder() {
        let low = Ballot(epoch: 1, round: 9, node: NodeID(9))
        let high = Ballot(epoch: 2, round: 1, node: NodeID(1))
        #expect(low < high)
        #expect(Ballot(epoch: 2, round: 1, node: NodeID(2)) > high)
        #expect(Ballot.zero < low)
    }
}
