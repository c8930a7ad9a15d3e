import ColonyAuth
import ColonyControl
import ColonyPlacement
import Testing

@Suite("revoking a node's identity")
struct NodeRevocationCheckTests {
    private static func record(_ id: UInt32, _ state: NodeState) -> NodeRecord {
        NodeRecord(id: id, peerAddress: "h:71\(id)", clientAddress: "h:72\(id)", zone: "z1", rack: "r1", state: state)
    }

    /// The directory's node records: node 1 active, node 2 draining, node 3 gone.
    private let nodes = [Self.record(1, .active), Self.record(2, .draining), Self.record(3, .gone)]

    @Test("is refused while the directory lists the node as active or draining, saying to drain it and declare it gone")
    func inService() throws {
        let before = AuthPolicy()
        for (id, state) in [(UInt32(1), "active"), (2, "draining")] {
            let after = try PolicyChange.revokeIdentity(.node(id)).applied(to: before)
            let revoking = NodeRevocationCheck.revoking(from: before, to: after)
            #expect(revoking == [id])
            let refusal = try #require(NodeRevocationCheck.refusal(revoking: revoking, nodes: nodes))
            #expect(refusal == .nodeInService(id, state: state))
            #expect("\(refusal)".contains("colony node drain \(id)") && "\(refusal)".contains("colony node gone \(id)"), "\(refusal)")
        }
    }

    @Test("is allowed for a gone node and for one the directory has no record of; other changes never need the nodes")
    func outOfService() throws {
        let before = AuthPolicy()
        for id: UInt32 in [3, 9] {
            let after = try PolicyChange.revokeIdentity(.node(id)).applied(to: before)
            #expect(NodeRevocationCheck.refusal(revoking: NodeRevocationCheck.revoking(from: before, to: after), nodes: nodes) == nil)
        }
        let revoked = try PolicyChange.revokeIdentity(.node(3)).applied(to: before)
        let client = try PolicyChange.revokeIdentity(.client("leaked")).applied(to: revoked)
        #expect(NodeRevocationCheck.revoking(from: revoked, to: client).isEmpty, "a node revoked before is not revoked again")
        // A restored policy that revokes an active node is refused as a revocation is.
        let restoring = try PolicyChange.replace(with: try PolicyChange.revokeIdentity(.node(1)).applied(to: before), by: .client("dev")).applied(to: before)
        #expect(NodeRevocationCheck.refusal(revoking: NodeRevocationCheck.revoking(from: before, to: restoring), nodes: nodes) == .nodeInService(1, state: "active"))
    }
}
